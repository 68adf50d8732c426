package dev.recingest.merge;

import dev.recingest.events.EventPublisher;
import dev.recingest.media.FfmpegBinaries;
import dev.recingest.merge.MergeMetrics.Outcome;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.Recording;
import dev.recingest.state.RecordingState;
import dev.recingest.state.RecordingStore;
import dev.recingest.storage.ChunkStore;
import dev.recingest.storage.ObjectKeys;
import dev.recingest.storage.OutputStore;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Handles one merge job: the recording's state machine around the merge (STOPPED/MERGING → MERGING →
 * COMPLETED or FAILED), the attempt count, the contiguity check, publishing, and clean-up.
 *
 * <p>One merge at a time per recording: a running attempt keeps {@code mergeLeaseUntil} on the
 * recording in the future (renewed with the queue lease), and a job that finds the recording MERGING
 * under a live lease (a duplicate job for it) is left pending rather than starting a competing attempt
 * that would invalidate the running one. Two workers can still end up on one recording (a lease that
 * expired during a long pause, or two duplicate jobs taken at the same instant): each attempt takes a
 * number from {@code mergeAttempts}; before publishing, an attempt checks that it is still the latest
 * one and still holds its lease, and only the MERGING → COMPLETED transition that succeeds records the
 * output. The chunks are immutable and FFmpeg runs with the same arguments, so an attempt that slips
 * through the remaining window writes an equivalent object to the same key.
 */
public final class RecordingMerger {

    /** What the worker does with the queue entry after {@link #process}. */
    public enum Disposition {
        /** Done with the recording, one way or the other: ack the job. */
        ACK,
        /** Leave the job pending: the queue hands it out again after the visibility timeout. */
        LEAVE_PENDING
    }

    private static final Logger LOG = LoggerFactory.getLogger(RecordingMerger.class);
    /** Meta field: epoch ms until which the running attempt's lease holds (0: released). */
    static final String LEASE_FIELD = "mergeLeaseUntil";
    private static final Duration REDIS_WAIT = Duration.ofSeconds(30);
    private static final Duration STORAGE_WAIT = Duration.ofMinutes(30);
    private static final EnumSet<RecordingState> MERGEABLE = EnumSet.of(RecordingState.STOPPED, RecordingState.MERGING);

    private final MergerConfig config;
    private final RecordingStore recordings;
    private final ChunkStore chunks;
    private final OutputStore outputs;
    private final ObjectKeys keys;
    private final MergePipeline pipeline;
    private final MergeMetrics metrics;
    private final Conclusion conclusion;
    private final Clock clock;

    RecordingMerger(MergerConfig config, RecordingStore recordings, ChunkStore chunks, OutputStore outputs,
                    ObjectKeys keys, MergePipeline pipeline, MergeMetrics metrics, EventPublisher events, Clock clock) {
        this.config = config;
        this.recordings = recordings;
        this.chunks = chunks;
        this.outputs = outputs;
        this.keys = keys;
        this.pipeline = pipeline;
        this.metrics = metrics;
        this.conclusion = new Conclusion(recordings, events, config.redisRetention());
        this.clock = clock;
    }

    /** {@link #create(MergerConfig, RecordingStore, ChunkStore, OutputStore, ObjectKeys, MeterRegistry, EventPublisher)} announcing nothing. */
    public static RecordingMerger create(MergerConfig config, RecordingStore recordings, ChunkStore chunks,
                                         OutputStore outputs, ObjectKeys keys, MeterRegistry registry) {
        return create(config, recordings, chunks, outputs, keys, registry, EventPublisher.none());
    }

    /**
     * Wires a merger: locates FFmpeg ({@code config.ffmpegDir()}, else PATH, else the bundled binaries),
     * asks it for its encoders once, and registers the merge meters in {@code registry}. Outcomes are
     * announced through {@code events}.
     */
    public static RecordingMerger create(MergerConfig config, RecordingStore recordings, ChunkStore chunks,
                                         OutputStore outputs, ObjectKeys keys, MeterRegistry registry,
                                         EventPublisher events) {
        FfmpegBinaries binaries = FfmpegBinaries.locate(config.ffmpegDir());
        if (binaries.ffprobe() == null) {
            LOG.warn("event=ffmpeg-fallback origin=\"{}\" note=\"media is probed inside this JVM; production hosts should "
                    + "install FFmpeg (docs/FFMPEG.md)\"", binaries.origin());
        }
        MergePipeline pipeline = new MergePipeline(config, chunks, new MediaProbe(binaries.prober()),
                new FfmpegJoin(binaries.ffmpeg(), config.ffmpegTimeout()), FfmpegCapabilities.detect(binaries.ffmpeg()));
        return new RecordingMerger(config, recordings, chunks, outputs, keys, pipeline, new MergeMetrics(registry),
                events, Clock.systemUTC());
    }

    /**
     * Merges the recording if it is STOPPED or MERGING; does nothing (and says ACK) for one that is
     * already COMPLETED, unknown, or in any other state.
     *
     * @throws InterruptedException when the worker is stopping; FFmpeg has been killed and the job stays
     *                              pending for another worker
     */
    public Disposition process(RecordingId id, Lease lease) throws InterruptedException {
        long started = System.nanoTime();
        Recording rec;
        long attempt;
        try {
            Optional<Recording> found = await(recordings.get(id), REDIS_WAIT);
            if (found.isEmpty() || !MERGEABLE.contains(found.get().state())) {
                String state = found.map(r -> r.state().name()).orElse("unknown");
                if (found.isPresent() && Conclusion.pending(found.get().state(), await(recordings.fields(id), REDIS_WAIT))) {
                    // The worker that recorded this outcome died (or lost the outbox) before announcing it.
                    LOG.info("merge skipped recordingId={} reason=outcome-not-announced state={}", id, state);
                    if (!conclusion.conclude(id, found.get().state())) {
                        metrics.record(Outcome.SKIPPED, Duration.ZERO);
                        return Disposition.LEAVE_PENDING;
                    }
                } else if (found.isPresent() && found.get().state() == RecordingState.COMPLETED) {
                    LOG.info("merge skipped recordingId={} reason=already-completed", id);
                } else {
                    LOG.warn("merge skipped recordingId={} reason=not-mergeable state={}", id, state);
                }
                metrics.record(Outcome.SKIPPED, Duration.ZERO);
                return Disposition.ACK;
            }
            rec = found.get();
            if (rec.state() == RecordingState.MERGING) {
                long leaseLeft = leaseUntil(id) - clock.millis();
                if (leaseLeft > 0) {
                    LOG.info("merge deferred recordingId={} reason=in-progress-elsewhere attempt={} leaseSecondsLeft={}",
                            id, rec.mergeAttempts(), leaseLeft / 1000.0);
                    metrics.record(Outcome.SKIPPED, Duration.ZERO);
                    return Disposition.LEAVE_PENDING;
                }
            }
            if (rec.mergeAttempts() >= config.maxAttempts()) {
                // Earlier attempts ended without recording an outcome: their workers died or were stopped.
                return fail(rec, rec.mergeAttempts(), new MergeFailure(MergeError.WORKER_LOST, rec.mergeAttempts()
                        + " merge attempts ended without an outcome (worker lost or stopped)"), started);
            }
            if (!await(recordings.transition(id, MERGEABLE, RecordingState.MERGING, leaseFields()), REDIS_WAIT).ok()) {
                LOG.info("merge skipped recordingId={} reason=state-changed", id);
                metrics.record(Outcome.SKIPPED, Duration.ZERO);
                return Disposition.ACK;
            }
            attempt = await(recordings.increment(id, "mergeAttempts"), REDIS_WAIT);
            lease.attempt(attempt);
        } catch (MergeFailure e) {
            LOG.warn("merge postponed recordingId={} reason={}", id, e.getMessage());
            metrics.record(Outcome.RETRIED, elapsed(started));
            return Disposition.LEAVE_PENDING;
        }
        LOG.info("merge started recordingId={} attempt={} mode={} contentType={} chunks={}", id, attempt,
                rec.mode().wire(), rec.contentType(), rec.chunks());
        Path dir = config.workDir().resolve(id.value() + "-" + attempt + "-" + UUID.randomUUID());
        AtomicLong progress = metrics.started();
        Disposition disposition;
        try {
            Files.createDirectories(dir);
            // Both records asked at once: listing the objects of a 1-hour recording (3,600 of them, 1,000 per
            // page) takes seconds, which the Redis reads need not wait behind.
            var listed = chunks.listChunks(id);
            var inRedis = recordings.storedChunks(id);
            var voids = recordings.voidIndices(id);
            ChunkPlan plan = ContiguityCheck.verify(rec.chunks(), await(inRedis, REDIS_WAIT), await(listed, STORAGE_WAIT),
                    await(voids, REDIS_WAIT));
            MergeResult result = pipeline.merge(rec, plan, dir, progress);
            disposition = publish(rec, attempt, plan, result, lease, started);
        } catch (MergeFailure e) {
            disposition = fail(rec, attempt, e, started);
        } catch (IOException | RuntimeException e) {
            disposition = fail(rec, attempt, MergeFailure.from(e), started);
        } finally {
            metrics.finished(progress);
            deleteQuietly(dir);
        }
        if (disposition == Disposition.LEAVE_PENDING) {
            releaseLease(id, attempt);
        }
        return disposition;
    }

    /**
     * Extends the recording's merge lease of the attempt {@code lease} covers; called by the worker on
     * every queue lease renewal, before it, so the recording's lease never ends before the job can be
     * claimed by another worker.
     */
    void renew(RecordingId id, Lease lease) throws InterruptedException {
        if (lease.held() && lease.attempt() > 0) {
            await(recordings.transition(id, List.of(RecordingState.MERGING), RecordingState.MERGING, leaseFields()),
                    REDIS_WAIT);
        }
    }

    private Map<String, String> leaseFields() {
        return Map.of(LEASE_FIELD, Long.toString(clock.millis() + config.visibilityTimeout().toMillis()));
    }

    private long leaseUntil(RecordingId id) throws InterruptedException {
        String v = await(recordings.fields(id), REDIS_WAIT).get(LEASE_FIELD);
        return v == null || v.isEmpty() ? 0 : Long.parseLong(v);
    }

    /** Lets the retry of an attempt that ends without an outcome start at once, unless a later attempt runs. */
    private void releaseLease(RecordingId id, long attempt) {
        try {
            Optional<Recording> now = await(recordings.get(id), REDIS_WAIT);
            if (now.isPresent() && now.get().mergeAttempts() == attempt) {
                await(recordings.transition(id, List.of(RecordingState.MERGING), RecordingState.MERGING,
                        Map.of(LEASE_FIELD, "0")), REDIS_WAIT);
            }
        } catch (MergeFailure e) {
            LOG.debug("merge lease not released recordingId={} reason={}", id, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Disposition publish(Recording rec, long attempt, ChunkPlan plan, MergeResult result, Lease lease,
                                long started) throws InterruptedException {
        RecordingId id = rec.id();
        if (!stillCurrent(id, attempt, lease)) {
            return Disposition.LEAVE_PENDING;
        }
        String outputKey = keys.output(id);
        long uploadStarted = System.nanoTime();
        await(outputs.uploadFile(outputKey, result.output(), "video/mp4"), STORAGE_WAIT);
        LOG.info("output uploaded recordingId={} outputBytes={} seconds={}", id, result.outputSize(),
                elapsed(uploadStarted).toMillis() / 1000.0);
        Map<String, String> fields = await(recordings.fields(id), REDIS_WAIT);
        Instant stoppedAt = fields.containsKey("stoppedAt") ? Instant.ofEpochMilli(Long.parseLong(fields.get("stoppedAt"))) : null;
        Manifest manifest = Manifest.of(rec, stoppedAt, clock.instant(), plan, result, outputKey);
        await(outputs.putBytes(keys.manifest(id), manifest.toJson(), "application/json"), STORAGE_WAIT);
        Double duration = result.outputInfo().durationSeconds();
        var done = await(recordings.transition(id, List.of(RecordingState.MERGING), RecordingState.COMPLETED,
                Map.of("outputKey", outputKey, "outputSize", Long.toString(result.outputSize()),
                        "durationSeconds", Double.toString(duration), "completedAt", Long.toString(clock.millis()))),
                REDIS_WAIT);
        if (!done.ok()) {
            LOG.warn("merge superseded recordingId={} attempt={} state={}", id, attempt, done.previous());
            metrics.record(Outcome.SKIPPED, elapsed(started));
            return Disposition.ACK;
        }
        metrics.inputBytes(plan.totalBytes());
        Duration took = elapsed(started);
        metrics.record(Outcome.COMPLETED, took);
        LOG.info("merge completed recordingId={} attempt={} chunks={} void={} bytes={} outputBytes={} "
                        + "durationSeconds={} codecs=[{}] seconds={}", id, attempt, plan.chunks().size(),
                plan.voids().size(), plan.totalBytes(), result.outputSize(), duration, result.codecs(),
                took.toMillis() / 1000.0);
        boolean announced = conclusion.conclude(id, RecordingState.COMPLETED);
        if (!config.keepChunks()) {
            try {
                await(chunks.deleteChunks(id), STORAGE_WAIT);
                LOG.info("chunks deleted recordingId={} chunks={}", id, plan.chunks().size());
            } catch (MergeFailure e) {
                // The output is safe; leftover chunks cost storage, not correctness.
                LOG.warn("chunks not deleted recordingId={} reason={}", id, e.getMessage());
            }
        }
        return announced ? Disposition.ACK : Disposition.LEAVE_PENDING;
    }

    /** True if this attempt is still the latest one on a MERGING recording and its lease is held. */
    private boolean stillCurrent(RecordingId id, long attempt, Lease lease) throws InterruptedException {
        Optional<Recording> now = await(recordings.get(id), REDIS_WAIT);
        boolean current = lease.held() && now.isPresent() && now.get().state() == RecordingState.MERGING
                && now.get().mergeAttempts() == attempt;
        if (!current) {
            LOG.warn("merge abandoned recordingId={} attempt={} reason=superseded leaseHeld={} state={} latestAttempt={}",
                    id, attempt, lease.held(), now.map(r -> r.state().name()).orElse("unknown"),
                    now.map(Recording::mergeAttempts).orElse(0));
        }
        return current;
    }

    private Disposition fail(Recording rec, long attempt, MergeFailure f, long started) throws InterruptedException {
        Duration took = elapsed(started);
        if (f.retryable() && attempt < config.maxAttempts()) {
            LOG.warn("merge will be retried recordingId={} attempt={} of {} errorCode={} reason={}", rec.id(), attempt,
                    config.maxAttempts(), f.error(), f.getMessage());
            metrics.record(Outcome.RETRIED, took);
            return Disposition.LEAVE_PENDING;
        }
        String message = f.retryable() ? f.getMessage() + " (attempt " + attempt + " of " + config.maxAttempts() + ")"
                : f.getMessage();
        boolean announcedFailure = true;
        try {
            var t = await(recordings.transition(rec.id(), MERGEABLE, RecordingState.FAILED,
                    Map.of("errorCode", f.error().name(), "errorMessage", message,
                            "failedAt", Long.toString(clock.millis()))), REDIS_WAIT);
            if (!t.ok()) {
                LOG.warn("merge failure not recorded recordingId={} state={}", rec.id(), t.previous());
            } else if (!conclusion.conclude(rec.id(), RecordingState.FAILED)) {
                announcedFailure = false;
            }
        } catch (MergeFailure e) {
            LOG.warn("merge failure not recorded recordingId={} reason={}; the job stays pending", rec.id(), e.getMessage());
            metrics.record(Outcome.RETRIED, took);
            return Disposition.LEAVE_PENDING;
        }
        LOG.error("merge failed recordingId={} attempt={} errorCode={} message={} seconds={}", rec.id(), attempt,
                f.error(), message, took.toMillis() / 1000.0, f.error() == MergeError.INTERNAL ? f : null);
        metrics.record(Outcome.FAILED, took);
        return announcedFailure ? Disposition.ACK : Disposition.LEAVE_PENDING;
    }

    /** Waits for a store call; its failure becomes a MergeFailure (storage errors keep their meaning). */
    private static <T> T await(CompletableFuture<T> f, Duration limit) throws InterruptedException {
        try {
            return f.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw MergeFailure.from(e.getCause());
        } catch (TimeoutException e) {
            f.cancel(false);
            throw new MergeFailure(MergeError.INTERNAL, "no answer within " + limit, e);
        }
    }

    private static Duration elapsed(long startedNanos) {
        return Duration.ofNanos(System.nanoTime() - startedNanos);
    }

    private static void deleteQuietly(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("work directory not deleted dir={} reason={}", dir, e.toString());
        }
    }
}
