package dev.recingest.merge;

import dev.recingest.state.MetaFields;
import dev.recingest.durable.EndLedger;
import dev.recingest.durable.Endings;
import dev.recingest.durable.Reconciler;
import dev.recingest.durable.StorageReconciler;
import dev.recingest.events.EventPublisher;
import dev.recingest.media.FfmpegBinaries;
import dev.recingest.merge.MergeMetrics.Outcome;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.Recording;
import dev.recingest.state.RecordingState;
import dev.recingest.state.Outcomes.TransitionKind;
import dev.recingest.state.RecordingStore;
import dev.recingest.storage.ChunkStore;
import dev.recingest.storage.ObjectKeys;
import dev.recingest.storage.OutputStore;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
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
 * expired during a long pause, or two duplicate jobs taken at the same instant): each attempt gets a
 * number from {@code mergeAttempts} and an id unique across re-merges ({@code mergeAttemptId}), and every
 * later step of the attempt (lease renewals, publishing, FAILED) is fenced on that id, so only the latest
 * attempt moves the recording; {@link OutputPublisher} says how its output is kept from being seen.
 *
 * <p>A bad recording fails fast: errors that would repeat on the same bytes (FFmpeg refusing the media, a
 * content type the merger does not read, FFmpeg past its time limit) fail it on the first attempt; only
 * errors of the moment (storage, a killed FFmpeg, a full disk) are retried. A merge that does not fit the
 * work directory's free space now waits in the queue without using an attempt.
 */
public final class RecordingMerger implements AutoCloseable {

    /** What the worker does with the queue entry after {@link #process}. */
    public enum Disposition {
        /** Done with the recording, one way or the other: ack the job. */
        ACK,
        /** Leave the job pending: the queue hands it out again after the visibility timeout. */
        LEAVE_PENDING
    }

    private static final Logger LOG = LoggerFactory.getLogger(RecordingMerger.class);
    /** Meta field: epoch ms until which the running attempt's lease holds (0: released). */
    static final String LEASE_FIELD = MetaFields.MERGE_LEASE_UNTIL;
    private static final Duration REDIS_WAIT = Duration.ofSeconds(30);
    private static final Duration STORAGE_WAIT = Duration.ofMinutes(30);
    private static final EnumSet<RecordingState> MERGEABLE = EnumSet.of(RecordingState.STOPPED, RecordingState.MERGING);

    private final MergerConfig config;
    private final RecordingStore recordings;
    private final ChunkStore chunks;
    private final MergePipeline pipeline;
    private final WorkSpace workSpace;
    private final OutputPublisher publisher;
    private final MergeMetrics metrics;
    private final Conclusion conclusion;
    private final Reconciler reconciler;
    private final LiveOutput liveOutput;
    private final Clock clock;

    RecordingMerger(MergerConfig config, RecordingStore recordings, ChunkStore chunks, OutputStore outputs,
                    ObjectKeys keys, MergePipeline pipeline, WorkSpace workSpace, MergeMetrics metrics,
                    EventPublisher events, LiveOutput liveOutput, Clock clock) {
        this.config = config;
        this.recordings = recordings;
        this.chunks = chunks;
        this.pipeline = pipeline;
        this.workSpace = workSpace;
        this.publisher = new OutputPublisher(recordings, outputs, keys, this::leaseFields, clock);
        this.metrics = metrics;
        EndLedger ledger = new EndLedger(outputs);
        this.conclusion = new Conclusion(recordings, events, config.redisRetention(), ledger);
        this.reconciler = new StorageReconciler(recordings.repairs(), chunks,
                new Endings(recordings, chunks, ledger, events, config.redisRetention(), clock));
        this.liveOutput = liveOutput;
        this.clock = clock;
        metrics.workDirFree(workSpace::usable);
    }

    /** {@link #create(MergerConfig, RecordingStore, ChunkStore, OutputStore, ObjectKeys, MeterRegistry, EventPublisher)} announcing nothing. */
    public static RecordingMerger create(MergerConfig config, RecordingStore recordings, ChunkStore chunks,
                                         OutputStore outputs, ObjectKeys keys, MeterRegistry registry) {
        return create(config, recordings, chunks, outputs, keys, registry, EventPublisher.none());
    }

    /**
     * Wires a merger: locates FFmpeg ({@code config.ffmpegDir()}, else PATH, else the bundled binaries),
     * asks it for its encoders once, sets up its folder in the work directory (removing those of mergers
     * that are gone), and registers the merge meters in {@code registry}. Outcomes are announced through
     * {@code events}.
     */
    public static RecordingMerger create(MergerConfig config, RecordingStore recordings, ChunkStore chunks,
                                         OutputStore outputs, ObjectKeys keys, MeterRegistry registry,
                                         EventPublisher events) {
        return create(config, recordings, chunks, outputs, keys, registry, events, LiveOutput.NONE);
    }

    /** As above, publishing the live rendition's MP4 where {@code liveOutput} has one. */
    public static RecordingMerger create(MergerConfig config, RecordingStore recordings, ChunkStore chunks,
                                         OutputStore outputs, ObjectKeys keys, MeterRegistry registry,
                                         EventPublisher events, LiveOutput liveOutput) {
        FfmpegBinaries binaries = FfmpegBinaries.locate(config.ffmpegDir());
        if (binaries.ffprobe() == null) {
            LOG.warn("event=ffmpeg-fallback origin=\"{}\" note=\"media is probed inside this JVM; production hosts should "
                    + "install FFmpeg (docs/FFMPEG.md)\"", binaries.origin());
        }
        MergePipeline pipeline = new MergePipeline(config, chunks, new MediaProbe(binaries.prober()),
                new FfmpegJoin(binaries.ffmpeg(), config.ffmpegStallTimeout()), FfmpegCapabilities.detect(binaries.ffmpeg()));
        return new RecordingMerger(config, recordings, chunks, outputs, keys, pipeline,
                WorkSpace.open(config.workDir(), config.minFreeDisk()), new MergeMetrics(registry), events, liveOutput,
                Clock.systemUTC());
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
        WorkSpace.Reservation room = null;
        try {
            // Storage is what was acked: a job re-delivered after its outcome was written, or after Redis went
            // back past it, finds the outcome storage records (a COMPLETED recording is never failed for its
            // deleted chunks), and a stop Redis lost its chunks of is merged with all of them.
            agreeWithStorage(id);
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
                return fail(rec, lease, new MergeFailure(MergeError.WORKER_LOST, rec.mergeAttempts()
                        + " merge attempts ended without an outcome (worker lost or stopped)"), started);
            }
            room = workSpace.reserve(MergePipeline.diskNeeded(rec));
            if (room.fit() == WorkSpace.Fit.LATER) {
                LOG.warn("merge deferred recordingId={} reason=no-disk-space detail=\"{}\"", id, room.describe());
                metrics.record(Outcome.DEFERRED, Duration.ZERO);
                return Disposition.LEAVE_PENDING;
            }
            if (!await(recordings.transition(id, MERGEABLE, RecordingState.MERGING, leaseFields()), REDIS_WAIT).ok()) {
                LOG.info("merge skipped recordingId={} reason=state-changed", id);
                metrics.record(Outcome.SKIPPED, Duration.ZERO);
                return Disposition.ACK;
            }
            RecordingStore.MergeAttempt attempt = await(recordings.beginMergeAttempt(id), REDIS_WAIT);
            lease.attempt(attempt.number(), attempt.id());
            if (room.fit() == WorkSpace.Fit.NEVER) {
                return fail(rec, lease, new MergeFailure(MergeError.NO_SPACE, "the merge " + room.describe()), started);
            }
            return runAttempt(rec, lease, started);
        } catch (MergeFailure e) {
            LOG.warn("merge postponed recordingId={} reason={}", id, e.getMessage());
            metrics.record(Outcome.RETRIED, elapsed(started));
            return Disposition.LEAVE_PENDING;
        } finally {
            if (room != null) {
                room.close();
            }
        }
    }

    /** One merge attempt, admitted: check, merge, publish, or fail; the attempt's folder goes when it ends. */
    private Disposition runAttempt(Recording rec, Lease lease, long started) throws InterruptedException {
        RecordingId id = rec.id();
        LOG.info("merge started recordingId={} attempt={} mode={} contentType={} chunks={}", id, lease.attempt(),
                rec.mode().wire(), rec.contentType(), rec.chunks());
        Path dir = null;
        AtomicLong progress = metrics.started();
        Disposition disposition;
        try {
            dir = workSpace.attemptFolder(id, lease.attempt());
            var inRedis = recordings.storedChunks(id);
            var voids = recordings.voidIndices(id);
            Optional<Disposition> fast = fromLive(rec, lease, await(inRedis, REDIS_WAIT), await(voids, REDIS_WAIT), started);
            if (fast.isPresent()) {
                disposition = fast.get();
            } else {
                // Listing the objects of a 1-hour recording (3,600 of them, 1,000 per page) takes seconds.
                var listed = chunks.listChunks(id);
                ChunkPlan plan = ContiguityCheck.verify(rec.chunks(), await(inRedis, REDIS_WAIT), await(listed, STORAGE_WAIT),
                        await(voids, REDIS_WAIT));
                MergeResult result = pipeline.merge(rec, plan, dir, progress);
                disposition = publish(rec, lease, plan, result, started);
            }
        } catch (MergeFailure e) {
            disposition = fail(rec, lease, e, started);
        } catch (IOException | RuntimeException e) {
            disposition = fail(rec, lease, MergeFailure.from(e), started);
        } finally {
            metrics.finished(progress);
            if (dir != null) {
                WorkSpace.deleteTree(dir);
            }
        }
        if (disposition == Disposition.LEAVE_PENDING) {
            releaseLease(id, lease);
        }
        return disposition;
    }

    /**
     * Publishes the MP4 the live rendition staged, if it did for exactly the chunks Redis records (the rendition read
     * each from storage, so its sizes stand for the listing); empty when the chunks must be merged instead.
     */
    private Optional<Disposition> fromLive(Recording rec, Lease lease, java.util.SortedMap<Long, Long> inRedis,
                                           List<Long> voids, long started) throws InterruptedException {
        long waitStarted = System.nanoTime();
        Optional<LiveOutput.Staged> live = liveOutput.await(rec.id(), rec.chunks());
        if (live.isEmpty()) {
            LOG.info("merge from chunks recordingId={} reason=no-live-mp4 waitedSeconds={}", rec.id(),
                    elapsed(waitStarted).toMillis() / 1000.0);
            return Optional.empty();
        }
        ChunkPlan plan;
        try {
            // Storage is listed as for any merge: a chunk the rendition read and storage lost since fails the
            // recording as the batch merge would (MISSING_CHUNKS); and the rendition must have read what is there.
            plan = ContiguityCheck.verify(rec.chunks(), inRedis, await(chunks.listChunks(rec.id()), STORAGE_WAIT), voids);
            java.util.Map<Long, Long> read = LiveOutput.sizes(live.get().result().chunks());
            for (var c : plan.chunks()) {
                if (!Long.valueOf(c.size()).equals(read.get(c.index()))) {
                    throw new MergeFailure(MergeError.SIZE_MISMATCH, "the live rendition read chunk " + c.index()
                            + " as " + read.get(c.index()) + " bytes, storage lists " + c.size());
                }
            }
        } catch (MergeFailure e) {
            // Whatever is wrong (a chunk missing, another size), the merge from the chunks finds and reports it.
            LOG.warn("merge from chunks recordingId={} reason=live-mp4-of-other-chunks detail=\"{}\"", rec.id(), e.getMessage());
            live.get().upload().discard();
            return Optional.empty();
        }
        if (MergePipeline.partsWithChunks(rec, plan).size() > 1) {
            // Declared parts are joined by the merge (PartsJoin); the rendition read them as one stream.
            LOG.info("merge from chunks recordingId={} reason=parts parts={}", rec.id(), rec.parts().size());
            live.get().upload().discard();
            return Optional.empty();
        }
        LOG.info("merge from live rendition recordingId={} attempt={} chunks={} outputBytes={} durationSeconds={} waitedSeconds={}",
                rec.id(), lease.attempt(), plan.chunks().size(), live.get().result().outputSize(),
                live.get().result().outputInfo().durationSeconds(), elapsed(waitStarted).toMillis() / 1000.0);
        MergeResult r = live.get().result();
        // One part, as the merge describes a recording it read as one stream (MergePipeline.merge).
        Manifest.Part part = new Manifest.Part(0, 0, null, plan.chunkCount(), r.outputInfo().durationSeconds(),
                Manifest.iso(rec.parts().get(0).startedAt()), true);
        MergeResult withPart = new MergeResult(r.output(), r.outputSize(), r.outputInfo(), r.chunks(), r.codecs(),
                List.of(part));
        return Optional.of(publish(rec, lease, plan, withPart, live.get().upload(), started));
    }

    /**
     * Makes Redis agree with storage before the job is looked at. When storage cannot be reached the job goes
     * on with what Redis says: its attempt then fails on the same storage, and counts, as it always did.
     */
    private void agreeWithStorage(RecordingId id) throws InterruptedException {
        try {
            await(reconciler.reconcile(id, 0), STORAGE_WAIT);
        } catch (MergeFailure e) {
            LOG.warn("merge admission without reconcile recordingId={} reason={}", id, e.getMessage());
        }
    }

    /**
     * Extends the recording's merge lease of the attempt {@code lease} covers; called by the worker on
     * every queue lease renewal, before it, so the recording's lease never ends before the job can be
     * claimed by another worker.
     */
    void renew(RecordingId id, Lease lease) throws InterruptedException {
        if (lease.held() && lease.attempt() > 0) {
            var renewed = await(recordings.transitionIf(id, List.of(RecordingState.MERGING), RecordingState.MERGING,
                    MetaFields.MERGE_ATTEMPT_ID, lease.attemptId(), leaseFields()), REDIS_WAIT);
            if (!renewed.ok()) {
                // Another attempt took the recording over, or it was deleted, or its outcome is recorded (a
                // renewal that ran just after this attempt's own): this attempt can only lose now.
                boolean ended = renewed.kind() == TransitionKind.REFUSED && (renewed.previous() == RecordingState.COMPLETED
                        || renewed.previous() == RecordingState.FAILED);
                if (!ended) {
                    LOG.warn("merge lease lost recordingId={} attempt={} outcome={} state={}", id, lease.attempt(),
                            renewed.kind(), renewed.previous());
                }
                lease.lose();
            }
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
    private void releaseLease(RecordingId id, Lease lease) {
        try {
            await(recordings.transitionIf(id, List.of(RecordingState.MERGING), RecordingState.MERGING,
                    MetaFields.MERGE_ATTEMPT_ID, lease.attemptId(), Map.of(LEASE_FIELD, "0")), REDIS_WAIT);
        } catch (MergeFailure e) {
            LOG.debug("merge lease not released recordingId={} reason={}", id, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Disposition publish(Recording rec, Lease lease, ChunkPlan plan, MergeResult result, long started)
            throws InterruptedException {
        return publish(rec, lease, plan, result, null, started);
    }

    private Disposition publish(Recording rec, Lease lease, ChunkPlan plan, MergeResult result,
                                dev.recingest.storage.OutputStore.StagedUpload staged, long started)
            throws InterruptedException {
        RecordingId id = rec.id();
        boolean published = staged == null ? publisher.publish(rec, lease, plan, result)
                : publisher.publish(rec, lease, plan, result, staged, System.nanoTime());
        if (!published) {
            // Another attempt owns the recording (and maybe this very job, claimed from this worker): leave the
            // job to whoever has it; delivered again, it finds the outcome recorded.
            metrics.record(Outcome.SKIPPED, elapsed(started));
            return Disposition.LEAVE_PENDING;
        }
        metrics.inputBytes(plan.totalBytes());
        Duration took = elapsed(started);
        metrics.record(Outcome.COMPLETED, took);
        LOG.info("merge completed recordingId={} attempt={} chunks={} void={} bytes={} outputBytes={} "
                        + "durationSeconds={} codecs=[{}] seconds={}", id, lease.attempt(), plan.chunks().size(),
                plan.voids().size(), plan.totalBytes(), result.outputSize(), result.outputInfo().durationSeconds(),
                result.codecs(), took.toMillis() / 1000.0);
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

    /**
     * Retries {@code f} while it is retryable and attempts are left; otherwise records the recording FAILED
     * (fenced on the attempt, when there is one: a superseded attempt never fails its successor's recording).
     */
    private Disposition fail(Recording rec, Lease lease, MergeFailure f, long started) throws InterruptedException {
        Duration took = elapsed(started);
        long attempt = lease.attemptId() == null ? rec.mergeAttempts() : lease.attempt();
        if (f.retryable() && attempt < config.maxAttempts()) {
            LOG.warn("merge will be retried recordingId={} attempt={} of {} errorCode={} reason={}", rec.id(), attempt,
                    config.maxAttempts(), f.error(), f.getMessage());
            metrics.record(Outcome.RETRIED, took);
            return Disposition.LEAVE_PENDING;
        }
        String message = f.retryable() ? f.getMessage() + " (attempt " + attempt + " of " + config.maxAttempts() + ")"
                : f.getMessage();
        Map<String, String> fields = Map.of(MetaFields.ERROR_CODE, f.error().name(), MetaFields.ERROR_MESSAGE, message,
                MetaFields.FAILED_AT, Long.toString(clock.millis()));
        boolean announcedFailure = true;
        try {
            var t = await(lease.attemptId() == null
                    ? recordings.transition(rec.id(), MERGEABLE, RecordingState.FAILED, fields)
                    : recordings.transitionIf(rec.id(), MERGEABLE, RecordingState.FAILED, MetaFields.MERGE_ATTEMPT_ID,
                            lease.attemptId(), fields), REDIS_WAIT);
            if (!t.ok()) {
                LOG.warn("merge failure not recorded recordingId={} attempt={} errorCode={} outcome={} state={}",
                        rec.id(), attempt, f.error(), t.kind(), t.previous());
                metrics.record(Outcome.SKIPPED, took);
                return t.kind() == TransitionKind.FENCED ? Disposition.LEAVE_PENDING : Disposition.ACK;
            } else if (!conclusion.conclude(rec.id(), RecordingState.FAILED)) {
                announcedFailure = false;
            }
        } catch (MergeFailure e) {
            LOG.warn("merge failure not recorded recordingId={} reason={}; the job stays pending", rec.id(), e.getMessage());
            metrics.record(Outcome.RETRIED, took);
            return Disposition.LEAVE_PENDING;
        }
        LOG.error("merge failed recordingId={} attempt={} errorCode={} retryable={} message={} seconds={}", rec.id(),
                attempt, f.error(), f.retryable(), message, took.toMillis() / 1000.0,
                f.error() == MergeError.INTERNAL ? f : null);
        metrics.record(Outcome.FAILED, took);
        metrics.failed(f.error());
        return announcedFailure ? Disposition.ACK : Disposition.LEAVE_PENDING;
    }

    /** Waits for a store call; its failure becomes a MergeFailure (storage errors keep their meaning). */
    private static <T> T await(CompletableFuture<T> f, Duration limit) throws InterruptedException {
        return Await.within(f, limit);
    }

    private static Duration elapsed(long startedNanos) {
        return Duration.ofNanos(System.nanoTime() - startedNanos);
    }

    /** The meters, for the worker's own counts (jobs it rejects unread). */
    MergeMetrics metrics() {
        return metrics;
    }

    /** This merger's work folder (the live renditions of the same process keep their files there too). */
    public WorkSpace workSpace() {
        return workSpace;
    }

    /** Removes the work folders of mergers that are gone (the worker calls it now and then). */
    void sweepWorkSpace() {
        workSpace.sweep();
    }

    /** Deletes this merger's work folder; call once no merge runs any more. */
    @Override
    public void close() {
        workSpace.close();
    }
}
