package dev.recingest.merge;

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
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Handles one merge job: admits it ({@link MergeAdmission}: STOPPED/MERGING → MERGING, the attempt count), checks
 * the chunks ({@link ContiguityCheck}), merges them ({@link MergePipeline}) unless the live rendition made the MP4,
 * publishes it fenced on the attempt ({@link MergePublication}: MERGING → COMPLETED), or settles a failure
 * ({@link FailureOutcome}: a retry, or FAILED), and cleans the attempt's folder up.
 *
 * <p>One merge at a time per recording: a running attempt keeps its {@link Lease} on the recording, and a job that
 * finds the recording MERGING under a live lease (a duplicate job for it) is left pending rather than starting a
 * competing attempt that would invalidate the running one. Two workers can still end up on one recording (a lease
 * that expired during a long pause, or two duplicate jobs taken at the same instant): each attempt gets a number
 * from {@code mergeAttempts} and an id unique across re-merges ({@code mergeAttemptId}), and every later step of the
 * attempt (lease renewals, publishing, FAILED) is fenced on that id, so only the latest attempt moves the recording;
 * {@link OutputPublisher} says how its output is kept from being seen.
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
    private static final Duration REDIS_WAIT = Duration.ofSeconds(30);
    private static final Duration STORAGE_WAIT = Duration.ofMinutes(30);
    static final EnumSet<RecordingState> MERGEABLE = EnumSet.of(RecordingState.STOPPED, RecordingState.MERGING);

    private final RecordingStore recordings;
    private final ChunkStore chunks;
    private final MergePipeline pipeline;
    private final WorkSpace workSpace;
    private final MergeMetrics metrics;
    private final MergeAdmission admission;
    private final MergePublication publication;
    private final FailureOutcome failures;

    RecordingMerger(MergerConfig config, RecordingStore recordings, ChunkStore chunks, OutputStore outputs,
                    ObjectKeys keys, MergePipeline pipeline, WorkSpace workSpace, MergeMetrics metrics,
                    EventPublisher events, LiveOutput liveOutput, Clock clock) {
        this.recordings = recordings;
        this.chunks = chunks;
        this.pipeline = pipeline;
        this.workSpace = workSpace;
        this.metrics = metrics;
        Lease.Terms leaseTerms = new Lease.Terms(recordings, clock, config.visibilityTimeout());
        EndLedger ledger = new EndLedger(outputs);
        Conclusion conclusion = new Conclusion(recordings, events, config.redisRetention(), ledger);
        Reconciler reconciler = new StorageReconciler(recordings.repairs(), chunks,
                new Endings(recordings, chunks, ledger, events, config.redisRetention(), clock));
        this.admission = new MergeAdmission(config, recordings, reconciler, conclusion, workSpace, metrics, leaseTerms);
        this.publication = new MergePublication(config, chunks,
                new OutputPublisher(recordings, outputs, keys, leaseTerms, clock), conclusion, metrics, liveOutput);
        this.failures = new FailureOutcome(config, recordings, conclusion, metrics, clock);
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
            LOG.atWarn().addKeyValue("origin", binaries.origin())
                    .addKeyValue("note", "media is probed inside this JVM; production hosts should install FFmpeg "
                            + "(docs/FFMPEG.md)").log("ffmpeg fallback");
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
        WorkSpace.Reservation room = null;
        try {
            MergeAdmission.Verdict verdict = admission.admit(id, lease);
            if (verdict instanceof MergeAdmission.Decided d) {
                return d.disposition();
            } else if (verdict instanceof MergeAdmission.Refused r) {
                room = r.room();
                return failures.fail(r.rec(), lease, r.failure(), started);
            }
            MergeAdmission.Admitted admitted = (MergeAdmission.Admitted) verdict;
            room = admitted.room();
            return runAttempt(admitted.rec(), lease, started, admitted.reconcileMs());
        } catch (MergeFailure e) {
            LOG.atWarn().addKeyValue("recording", id).addKeyValue("reason", e.getMessage()).log("merge postponed");
            metrics.record(Outcome.RETRIED, Duration.ofNanos(System.nanoTime() - started));
            return Disposition.LEAVE_PENDING;
        } finally {
            if (room != null) {
                room.close();
            }
        }
    }

    /** One merge attempt, admitted: check, merge, publish, or fail; the attempt's folder goes when it ends. */
    private Disposition runAttempt(Recording rec, Lease lease, long started, long reconcileMs) throws InterruptedException {
        RecordingId id = rec.id();
        LOG.atInfo().addKeyValue("recording", id).addKeyValue("attempt", lease.attempt())
                .addKeyValue("mode", rec.mode().wire()).addKeyValue("contentType", rec.contentType())
                .addKeyValue("chunks", rec.chunks()).addKeyValue("admitMs", (System.nanoTime() - started) / 1_000_000)
                .addKeyValue("reconcileMs", reconcileMs).log("merge started");
        Path dir = null;
        AtomicLong progress = metrics.started();
        Disposition disposition;
        try {
            dir = workSpace.attemptFolder(id, lease.attempt());
            var inRedis = recordings.storedChunks(id);
            var voids = recordings.voidIndices(id);
            Optional<Disposition> fast = publication.fromLive(rec, lease, Await.within(inRedis, REDIS_WAIT),
                    Await.within(voids, REDIS_WAIT), started);
            if (fast.isPresent()) {
                disposition = fast.get();
            } else {
                // Listing the objects of a 1-hour recording (3,600 of them, 1,000 per page) takes seconds.
                var listed = chunks.listChunks(id);
                ChunkPlan plan = ContiguityCheck.verify(rec.chunks(), Await.within(inRedis, REDIS_WAIT),
                        Await.within(listed, STORAGE_WAIT), Await.within(voids, REDIS_WAIT));
                MergeResult result = pipeline.merge(rec, plan, dir, progress);
                disposition = publication.publish(rec, lease, plan, result, started);
            }
        } catch (MergeFailure e) {
            disposition = failures.fail(rec, lease, e, started);
        } catch (IOException | RuntimeException e) {
            disposition = failures.fail(rec, lease, MergeFailure.from(e), started);
        } finally {
            metrics.finished(progress);
            if (dir != null) {
                WorkSpace.deleteTree(dir);
            }
        }
        if (disposition == Disposition.LEAVE_PENDING) {
            lease.release();
        }
        return disposition;
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
