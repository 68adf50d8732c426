package dev.recingest.gateway.ingest;

import dev.recingest.protocol.Mode;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.SeqMode;
import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The recording as one connection owns it: what its {@code start} said (enough to re-create the record
 * if Redis loses it), its owner epoch (which changes when the connection reclaims the recording), and
 * {@code knownNext}, below which every index is known to have been handed out, so that a Redis that
 * went back (a restart that lost its last writes, keys deleted) is noticed before an index is used twice.
 *
 * <p>While a recovery runs ({@link Recovery}), assignments wait here and are then issued one after
 * another in frame order, so that at-least-once chunks keep their arrival order across the recovery.
 * Shared by the connection's event loop and the Redis and S3 completion threads: fields are volatile or
 * guarded by {@code this}.
 */
final class Ownership {

    private record Waiting(long frame, Consumer<Throwable> task) {
    }

    private final RecordingId id;
    private final String contentType;
    private final Mode mode;
    private final String metadata;
    private volatile long epoch;
    private volatile SeqMode seqMode;
    private volatile long knownNext;
    private long frames;
    /** Made on the first wait: only a recovery uses it, and an idle connection should cost little heap. */
    private PriorityQueue<Waiting> waiting;
    private CompletableFuture<Void> recovery;
    private long generation;

    Ownership(RecordingId id, long epoch, long nextSeq, String contentType, Mode mode, String metadata,
              SeqMode seqMode) {
        this.id = id;
        this.epoch = epoch;
        this.knownNext = nextSeq;
        this.contentType = contentType;
        this.mode = mode;
        this.metadata = metadata;
        this.seqMode = seqMode;
    }

    RecordingId id() {
        return id;
    }

    long epoch() {
        return epoch;
    }

    void epoch(long newEpoch) {
        epoch = newEpoch;
    }

    String contentType() {
        return contentType;
    }

    Mode mode() {
        return mode;
    }

    String metadata() {
        return metadata;
    }

    /** The seq mode once a chunk (or the record at start) set it; null before. */
    SeqMode seqMode() {
        return seqMode;
    }

    void seqMode(SeqMode m) {
        seqMode = m;
    }

    long knownNext() {
        return knownNext;
    }

    /** Notes an index Redis handed out; returns false if it is below one handed out before (Redis went back). */
    synchronized boolean noteAssigned(long index) {
        if (index < knownNext) {
            return false;
        }
        knownNext = index + 1;
        return true;
    }

    /** Notes an explicit-mode index (index == seq): resends are below knownNext by nature. */
    synchronized void noteSeq(long index) {
        knownNext = Math.max(knownNext, index + 1);
    }

    /** The ordinal of a new chunk frame; called on the event loop in arrival order. */
    long nextFrame() {
        return frames++;
    }

    /** Changes whenever a recovery starts: an assignment issued under an older generation is suspect. */
    synchronized long generation() {
        return generation;
    }

    /**
     * Runs {@code task} (with null) now, or, while a recovery runs, once it ends (with its failure, or
     * null), after every waiting task of an earlier frame.
     */
    void whenSettled(long frame, Consumer<Throwable> task) {
        synchronized (this) {
            if (recovery != null) {
                if (waiting == null) {
                    waiting = new PriorityQueue<>(Comparator.comparingLong(Waiting::frame));
                }
                waiting.add(new Waiting(frame, task));
                return;
            }
        }
        task.accept(null);
    }

    /**
     * Runs {@code work} unless a recovery is running already (then joins it). The waiting tasks run when
     * it ends, in frame order, under this lock, so that a frame arriving meanwhile queues behind them.
     */
    CompletableFuture<Void> recover(Supplier<CompletableFuture<Void>> work) {
        CompletableFuture<Void> mine;
        synchronized (this) {
            if (recovery != null) {
                return recovery;
            }
            generation++;
            mine = new CompletableFuture<>();
            recovery = mine;
        }
        CompletableFuture<Void> running;
        try {
            running = work.get();
        } catch (RuntimeException e) {
            running = CompletableFuture.failedFuture(e);
        }
        running.whenComplete((x, error) -> {
            synchronized (this) {
                while (waiting != null && !waiting.isEmpty()) {
                    waiting.poll().task().accept(error);
                }
                recovery = null;
            }
            if (error != null) {
                mine.completeExceptionally(error);
            } else {
                mine.complete(null);
            }
        });
        return mine;
    }
}
