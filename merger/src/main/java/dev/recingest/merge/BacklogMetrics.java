package dev.recingest.merge;

import dev.recingest.state.Backlog;
import dev.recingest.state.RecordingState;
import dev.recingest.state.RedisConnection;
import dev.recingest.state.RedisConnections;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gauges of what waits, from a {@link Backlog} census every {@link #INTERVAL}, in Prometheus terms:
 * {@code recingest_recordings_unfinished{state}} (recording, stalled, stopped, merging),
 * {@code recingest_merge_queue_jobs} (in the stream: waiting or held), {@code recingest_merge_queue_held_jobs}
 * (taken by a worker, not acked) and {@code recingest_merge_queue_oldest_age_seconds}.
 *
 * <p>They describe the whole cluster, not this process, so every merger reports the same figures: sum
 * them over nothing, take {@code max}. Until a census succeeds, and after one fails, they read NaN rather
 * than a stale figure. The census runs on a Redis connection of its own so that its burst of reads does
 * not queue behind or in front of the merge work.
 */
public final class BacklogMetrics implements AutoCloseable {

    /** Four scrapes at Prometheus's usual 15 s; the census costs one HGET per unfinished recording. */
    public static final Duration INTERVAL = Duration.ofSeconds(30);
    static final int MAX_RECORDINGS = 100_000;

    private static final Logger LOG = LoggerFactory.getLogger(BacklogMetrics.class);

    private final RedisConnection connection;
    private final Backlog backlog;
    private final ScheduledExecutorService scheduler;
    private volatile Backlog.Snapshot last;
    private volatile boolean truncationLogged;

    private BacklogMetrics(RedisConnection connection, MeterRegistry registry) {
        this.connection = connection;
        this.backlog = new Backlog(connection.async(), MAX_RECORDINGS);
        for (RecordingState state : Backlog.UNFINISHED) {
            gauge("recingest.recordings.unfinished", "Recordings not yet ended, by state (cluster-wide)",
                    s -> s.unfinished().get(state)).tag("state", state.name().toLowerCase(Locale.ROOT)).register(registry);
        }
        gauge("recingest.merge.queue.jobs", "Merge jobs in the queue, waiting or held by a worker",
                Backlog.Snapshot::queuedJobs).register(registry);
        gauge("recingest.merge.queue.held.jobs", "Merge jobs a worker took and has not finished",
                Backlog.Snapshot::heldJobs).register(registry);
        gauge("recingest.merge.queue.oldest.age", "Age of the oldest merge job in the queue",
                Backlog.Snapshot::oldestJobSeconds).baseUnit("seconds").register(registry);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "backlog-census");
            t.setDaemon(true);
            return t;
        });
    }

    /** Registers the gauges and takes a census now and every {@link #INTERVAL}. */
    public static BacklogMetrics start(RedisConnections redis, MeterRegistry registry) {
        BacklogMetrics m = new BacklogMetrics(redis.connect(), registry);
        m.scheduler.scheduleWithFixedDelay(m::refresh, 0, INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        return m;
    }

    private Gauge.Builder<BacklogMetrics> gauge(String name, String description,
                                                ToDoubleFunction<Backlog.Snapshot> read) {
        return Gauge.builder(name, this, m -> m.last == null ? Double.NaN : read.applyAsDouble(m.last))
                .description(description);
    }

    /** One census; public so that a test can take one without waiting for the schedule. */
    public void refresh() {
        try {
            Backlog.Snapshot s = backlog.read().get(INTERVAL.toSeconds(), TimeUnit.SECONDS);
            if (s.truncated() && !truncationLogged) {
                truncationLogged = true;
                LOG.atWarn().addKeyValue("maxRecordings", MAX_RECORDINGS)
                        .addKeyValue("reason", "more-unfinished-recordings").log("backlog census truncated");
            }
            last = s;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            last = null;
            LOG.atWarn().addKeyValue("reason", e.toString()).log("backlog census failed");
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        connection.close();
    }
}
