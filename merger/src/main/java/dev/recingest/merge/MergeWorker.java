package dev.recingest.merge;

import dev.recingest.config.HostName;
import dev.recingest.events.EventPublisher;
import dev.recingest.merge.RecordingMerger.Disposition;
import dev.recingest.state.MergeQueue;
import dev.recingest.state.MergeQueue.Job;
import dev.recingest.state.RecordingStore;
import dev.recingest.state.RedisConnection;
import dev.recingest.state.RedisConnections;
import dev.recingest.storage.S3Store;
import io.lettuce.core.RedisException;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The merge worker: {@code workers} threads, each taking one job at a time from the merge queue,
 * merging it, and acking it.
 *
 * <p>Retries: a job that fails retryably (storage unavailable, FFmpeg crashed) is not acked. It stays
 * pending, and once it has been idle for the visibility timeout, XAUTOCLAIM hands it to the next
 * worker that asks, which gives a backoff of one visibility timeout without a second queue. A job
 * being merged is kept from looking idle by renewing its {@link Lease} (in the queue and on the recording)
 * every third of that timeout.
 *
 * <p>Each thread reads the queue on a Redis connection of its own (XREADGROUP blocks the connection
 * for up to {@code poll}); lease renewals share one more, with the housekeeping: every visibility timeout
 * it removes the group's consumers left by merger processes that are gone (idle for two visibility
 * timeouts with nothing pending) and the work folders of such mergers. A queue entry that names no valid
 * recording is dropped the first time it is read, not handed out again forever.
 *
 * <p>Just past 300 lines: the threads, the queue reads and the housekeeping share the worker's connections
 * and its stop; the lease and the merge itself live in {@link Lease} and {@link RecordingMerger}.
 */
public final class MergeWorker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MergeWorker.class);
    private static final Duration REDIS_BACKOFF = Duration.ofSeconds(1);

    private final MergerConfig config;
    private final RedisConnections redis;
    private final RecordingMerger merger;
    private final String consumerPrefix;
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running;
    private ScheduledExecutorService leaseRenewals;
    private RedisConnection leaseConnection;
    private MergeQueue leaseQueue;

    public MergeWorker(MergerConfig config, RedisConnections redis, RecordingMerger merger) {
        this.config = config;
        this.redis = redis;
        this.merger = merger;
        this.consumerPrefix = HostName.current("merger") + "-" + ProcessHandle.current().pid();
    }

    /** Wires a worker over one S3 store (chunks and outputs) that announces nothing, and starts it. */
    public static MergeWorker start(MergerConfig config, RedisConnections redis, RecordingStore recordings,
                                    S3Store storage, MeterRegistry registry) {
        return start(config, redis, recordings, storage, registry, EventPublisher.none());
    }

    /** Wires a worker over one S3 store (chunks and outputs), announcing outcomes through {@code events}, and starts it. */
    public static MergeWorker start(MergerConfig config, RedisConnections redis, RecordingStore recordings,
                                    S3Store storage, MeterRegistry registry, EventPublisher events) {
        return start(config, redis, recordings, storage, registry, events, LiveOutput.NONE);
    }

    /** As above, publishing the live rendition's MP4 where {@code liveOutput} has one instead of merging the chunks. */
    public static MergeWorker start(MergerConfig config, RedisConnections redis, RecordingStore recordings,
                                    S3Store storage, MeterRegistry registry, EventPublisher events, LiveOutput liveOutput) {
        RecordingMerger merger = RecordingMerger.create(config, recordings, storage, storage, storage.keys(), registry,
                events, liveOutput);
        MergeWorker worker = new MergeWorker(config, redis, merger);
        worker.start();
        return worker;
    }

    /** The merger's work folder, shared with the live renditions of the same process. */
    public WorkSpace workSpace() {
        return merger.workSpace();
    }

    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        leaseConnection = redis.connect();
        leaseQueue = new MergeQueue(leaseConnection.sync());
        leaseRenewals = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "merge-lease");
            t.setDaemon(true);
            return t;
        });
        long every = config.visibilityTimeout().toMillis();
        leaseRenewals.scheduleWithFixedDelay(this::houseKeeping, 0, every, TimeUnit.MILLISECONDS);
        for (int i = 0; i < config.workers(); i++) {
            String consumer = consumerPrefix + "-" + i;
            Thread t = new Thread(() -> loop(consumer), "merge-worker-" + i);
            threads.add(t);
            t.start();
        }
        LOG.atInfo().addKeyValue("workers", config.workers())
                .addKeyValue("consumers", consumerPrefix + "-[0.." + (config.workers() - 1) + "]")
                .addKeyValue("visibilityTimeoutMs", config.visibilityTimeout().toMillis())
                .addKeyValue("maxAttempts", config.maxAttempts()).addKeyValue("workDir", config.workDir())
                .log("merge worker started");
    }

    private void loop(String consumer) {
        while (running && !Thread.currentThread().isInterrupted()) {
            try (RedisConnection connection = redis.connect()) {
                serve(consumer, new MergeQueue(connection.sync()));
            } catch (RedisException e) {
                // Could not connect (Lettuce reconnects an established connection by itself).
                LOG.atWarn().addKeyValue("consumer", consumer).addKeyValue("reason", e.toString())
                        .log("merge queue unreachable");
                pause(REDIS_BACKOFF);
            } catch (RuntimeException e) {
                LOG.atError().addKeyValue("consumer", consumer).setCause(e).log("merge worker loop failed");
                pause(REDIS_BACKOFF);
            }
        }
    }

    private void serve(String consumer, MergeQueue queue) {
        boolean groupReady = false;
        while (running && !Thread.currentThread().isInterrupted()) {
            Optional<Job> job;
            try {
                if (!groupReady) {
                    queue.ensureGroup();
                    groupReady = true;
                }
                job = queue.take(consumer, config.visibilityTimeout(), config.poll());
            } catch (RedisException e) {
                if (!running) {
                    return;
                }
                // A Redis that restarted without its data has lost the group too: make it again.
                groupReady = false;
                LOG.atWarn().addKeyValue("consumer", consumer).addKeyValue("reason", e.toString())
                        .log("merge queue unavailable");
                pause(REDIS_BACKOFF);
                continue;
            } catch (MergeQueue.UnreadableJob e) {
                // No recording to merge, now or ever: drop it, or it would come back every visibility timeout.
                LOG.atError().addKeyValue("messageId", e.messageId()).addKeyValue("consumer", consumer)
                        .addKeyValue("reason", e.getMessage()).log("merge job rejected");
                merger.metrics().record(MergeMetrics.Outcome.REJECTED, Duration.ZERO);
                discard(queue, e.messageId());
                continue;
            } catch (RuntimeException e) {
                LOG.atError().addKeyValue("consumer", consumer).setCause(e).log("merge queue read failed");
                pause(REDIS_BACKOFF);
                continue;
            }
            if (job.isEmpty()) {
                continue;
            }
            if (!running) {
                // Taken while stopping: leave it pending; another worker claims it after the timeout.
                LOG.atInfo().addKeyValue("recording", job.get().recordingId()).addKeyValue("reason", "stopping")
                        .log("merge job left for another worker");
                return;
            }
            handle(queue, consumer, job.get());
        }
    }

    private void handle(MergeQueue queue, String consumer, Job job) {
        Lease lease = Lease.onQueueEntry(job.recordingId(), () -> leaseQueue.extend(consumer, job));
        long every = config.leaseRenewal().toMillis();
        ScheduledFuture<?> renewal = leaseRenewals.scheduleAtFixedRate(() -> renew(job, lease),
                every, every, TimeUnit.MILLISECONDS);
        Disposition disposition;
        try {
            disposition = merger.process(job.recordingId(), lease);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.atWarn().addKeyValue("recording", job.recordingId())
                    .addKeyValue("note", "the job stays pending for another worker").log("merge interrupted");
            return;
        } catch (RuntimeException e) {
            LOG.atError().addKeyValue("recording", job.recordingId()).addKeyValue("note", "the job stays pending")
                    .setCause(e).log("merge crashed");
            return;
        } finally {
            renewal.cancel(false);
        }
        if (disposition == Disposition.ACK) {
            try {
                queue.ack(job);
            } catch (RedisException e) {
                // Harmless: the job comes back after the visibility timeout and finds the recording done.
                LOG.atWarn().addKeyValue("recording", job.recordingId()).addKeyValue("reason", e.toString())
                        .log("merge job not acked");
            }
        }
    }

    private static void discard(MergeQueue queue, String messageId) {
        try {
            queue.discard(messageId);
        } catch (RedisException e) {
            LOG.atWarn().addKeyValue("messageId", messageId).addKeyValue("reason", e.toString())
                    .log("merge job not discarded");
        }
    }

    /** Removes what merger processes that are gone left behind: their consumers in the group, their work folders. */
    private void houseKeeping() {
        try {
            List<String> removed = leaseQueue.removeIdleConsumers(config.visibilityTimeout().multipliedBy(2));
            if (!removed.isEmpty()) {
                LOG.atInfo().addKeyValue("names", String.join(",", removed)).addKeyValue("reason", "idle-without-jobs")
                        .log("merge consumers removed");
            }
        } catch (RedisException e) {
            // No group yet (the first worker creates it), or Redis away: next time.
            LOG.atDebug().addKeyValue("reason", e.toString()).log("merge consumers not checked");
        } catch (RuntimeException e) {
            // Never let it escape: the executor would stop scheduling it.
            LOG.atWarn().addKeyValue("reason", e.toString()).log("merge housekeeping failed");
        }
        merger.sweepWorkSpace();
    }

    /** One renewal of {@code lease} (see {@link Lease#renew}); an error waits for the next one. */
    private static void renew(Job job, Lease lease) {
        try {
            lease.renew();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.atWarn().addKeyValue("recording", job.recordingId()).addKeyValue("reason", e.toString())
                    .log("merge lease not renewed");
        }
    }

    /**
     * Stops taking jobs (within {@code poll}), waits up to {@code shutdownTimeout} for merges in progress,
     * then interrupts them (which kills FFmpeg and leaves their jobs pending for another worker).
     */
    @Override
    public void close() {
        List<Thread> toStop;
        synchronized (this) {
            if (!running) {
                return;
            }
            running = false;
            toStop = List.copyOf(threads);
            threads.clear();
        }
        long deadline = System.nanoTime() + Math.max(config.shutdownTimeout().toNanos(), config.poll().toNanos());
        for (Thread t : toStop) {
            joinUntil(t, deadline);
        }
        for (Thread t : toStop) {
            if (t.isAlive()) {
                LOG.atWarn().addKeyValue("shutdownTimeoutMs", config.shutdownTimeout().toMillis())
                        .addKeyValue("thread", t.getName()).log("merge still running; interrupting");
                t.interrupt();
            }
        }
        long grace = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (Thread t : toStop) {
            joinUntil(t, grace);
        }
        leaseRenewals.shutdownNow();
        leaseConnection.close();
        merger.close();
        LOG.atInfo().log("merge worker stopped");
    }

    private static void joinUntil(Thread t, long deadlineNanos) {
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) {
            return;
        }
        try {
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
