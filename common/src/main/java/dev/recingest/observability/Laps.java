package dev.recingest.observability;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Where one operation's time went, phase by phase: each {@link #lap} names the time since the previous one (or
 * since the start). Made for a {@code start} (a resume above all), whose steps run one after another on
 * different threads (an event loop, the Redis client's thread, the S3 client's), each in the completion of the
 * one before: the laps are taken in that order, and the lock only makes each visible to the next thread.
 * {@link #OFF} takes none, for the callers that do not time themselves (the janitor, the merger).
 */
public class Laps {

    /** One phase and how long it took. */
    public record Lap(String phase, long nanos) {
    }

    /** Takes no laps. */
    public static final Laps OFF = new Laps(0) {
        @Override
        public void lap(String phase) {
        }

        @Override
        public void lapAt(String phase, long nanos) {
        }
    };

    private final long startNanos;
    private long lastNanos;
    private final List<Lap> laps = new ArrayList<>(10);

    /** @param startNanos where the first lap begins, from {@link System#nanoTime()} */
    public Laps(long startNanos) {
        this.startNanos = startNanos;
        this.lastNanos = startNanos;
    }

    /** The time since the previous lap (or the start) went to {@code phase}. */
    public synchronized void lap(String phase) {
        long now = System.nanoTime();
        laps.add(new Lap(phase, now - lastNanos));
        lastNanos = now;
    }

    /** The time from the previous lap (or the start) to {@code nanos}, a {@link System#nanoTime()} past, went to {@code phase}. */
    public synchronized void lapAt(String phase, long nanos) {
        laps.add(new Lap(phase, nanos - lastNanos));
        lastNanos = nanos;
    }

    /** Laps taken so far, in order. */
    public synchronized List<Lap> laps() {
        return Collections.unmodifiableList(new ArrayList<>(laps));
    }

    /** From the start to the last lap. */
    public synchronized long totalNanos() {
        return lastNanos - startNanos;
    }
}
