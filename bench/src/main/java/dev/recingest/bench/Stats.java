package dev.recingest.bench;

import java.util.Arrays;
import java.util.concurrent.atomic.LongAdder;

/**
 * What a load run counts, shared by its clients: acked chunks and bytes, failures, and (only while
 * {@link #measuring} is set) each chunk's sent-to-ack latency.
 */
final class Stats {

    final LongAdder chunks = new LongAdder();
    final LongAdder bytes = new LongAdder();
    final LongAdder failures = new LongAdder();
    /** Retryable nacks from the gateway; the chunk is resent, so it is not a failure. */
    final LongAdder nacks = new LongAdder();
    volatile boolean measuring;
    private long[] latencies = new long[1024];
    private int count;

    void acked(int size, long sentNanos) {
        chunks.increment();
        bytes.add(size);
        if (measuring && sentNanos != 0) {
            record(System.nanoTime() - sentNanos);
        }
    }

    private synchronized void record(long nanos) {
        if (count == latencies.length) {
            latencies = Arrays.copyOf(latencies, count * 2);
        }
        latencies[count++] = nanos;
    }

    synchronized long[] latenciesNanos() {
        return Arrays.copyOf(latencies, count);
    }

    /** The value below which {@code q} of the sorted samples fall (nearest rank), or NaN with none. */
    static double percentileMillis(long[] sortedNanos, double q) {
        if (sortedNanos.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(q * sortedNanos.length);
        return sortedNanos[Math.max(0, Math.min(sortedNanos.length - 1, rank - 1))] / 1e6;
    }
}
