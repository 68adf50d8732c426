package dev.recingest.merge;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The merger's meters, in Prometheus terms: {@code recingest_merge_jobs_total{outcome}},
 * {@code recingest_merge_duration_seconds{outcome}} (a histogram, {@code _bucket{le}}),
 * {@code recingest_merge_failures_total{code}} (recordings FAILED, by error code),
 * {@code recingest_merge_input_bytes_total}, {@code recingest_merge_progress_bytes} (bytes fed to FFmpeg by
 * the merges running now), {@code recingest_merge_active} (merges running now) and
 * {@code recingest_merge_work_dir_free_bytes}.
 */
final class MergeMetrics {

    /**
     * What became of one job taken from the queue. DEFERRED: no disk room for it now, left queued without
     * using an attempt; REJECTED: a queue entry that names no valid recording, dropped.
     */
    enum Outcome { COMPLETED, FAILED, RETRIED, SKIPPED, DEFERRED, REJECTED }

    /** Histogram buckets of merge durations: a short clip takes a second, an hour of video minutes. */
    static final Duration[] DURATION_BUCKETS = {Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5),
        Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(2),
        Duration.ofMinutes(5), Duration.ofMinutes(10), Duration.ofMinutes(20), Duration.ofMinutes(40),
        Duration.ofMinutes(60)};

    private final MeterRegistry registry;
    private final Counter inputBytes;
    private final Set<AtomicLong> running = ConcurrentHashMap.newKeySet();

    MergeMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.inputBytes = Counter.builder("recingest.merge.input").baseUnit("bytes")
                .description("Chunk bytes read by merges that produced an output").register(registry);
        Gauge.builder("recingest.merge.progress", running, MergeMetrics::sum).baseUnit("bytes")
                .description("Bytes fed to FFmpeg so far by the merges in progress").register(registry);
        Gauge.builder("recingest.merge.active", running, Set::size)
                .description("Merges in progress").register(registry);
        for (Outcome o : Outcome.values()) {
            counter(o);
            timer(o);
        }
        for (MergeError e : MergeError.values()) {
            failures(e);
        }
    }

    /** Reports the free space of the work directory's disk. */
    void workDirFree(java.util.function.LongSupplier freeBytes) {
        Gauge.builder("recingest.merge.work.dir.free", freeBytes::getAsLong).baseUnit("bytes")
                .description("Free space on the merge work directory's disk").register(registry);
    }

    /** Counts a recording the merger marked FAILED. */
    void failed(MergeError error) {
        failures(error).increment();
    }

    private Counter failures(MergeError e) {
        return Counter.builder("recingest.merge.failures").tag("code", e.name())
                .description("Recordings the merger marked FAILED, by error code").register(registry);
    }

    /** Counts one job's outcome and, for all but SKIPPED, DEFERRED and REJECTED, how long it took. */
    void record(Outcome outcome, Duration took) {
        counter(outcome).increment();
        if (outcome != Outcome.SKIPPED && outcome != Outcome.DEFERRED && outcome != Outcome.REJECTED) {
            timer(outcome).record(took);
        }
    }

    void inputBytes(long bytes) {
        inputBytes.increment(bytes);
    }

    /** A progress counter for one merge, counted by the gauge until {@link #finished}. */
    AtomicLong started() {
        AtomicLong progress = new AtomicLong();
        running.add(progress);
        return progress;
    }

    void finished(AtomicLong progress) {
        running.remove(progress);
    }

    private Counter counter(Outcome o) {
        return Counter.builder("recingest.merge.jobs").tag("outcome", tag(o))
                .description("Merge jobs by outcome").register(registry);
    }

    private Timer timer(Outcome o) {
        return Timer.builder("recingest.merge.duration").tag("outcome", tag(o))
                .description("Time from taking a merge job to its outcome")
                .serviceLevelObjectives(DURATION_BUCKETS).register(registry);
    }

    private static String tag(Outcome o) {
        return o.name().toLowerCase(java.util.Locale.ROOT);
    }

    private static double sum(Set<AtomicLong> running) {
        return running.stream().mapToLong(AtomicLong::get).sum();
    }
}
