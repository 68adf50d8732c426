package dev.recingest.merge;

import dev.recingest.merge.MergeMetrics.Outcome;
import dev.recingest.merge.RecordingMerger.Disposition;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.Recording;
import dev.recingest.state.RecordingState;
import dev.recingest.storage.ChunkStore;
import dev.recingest.storage.OutputStore.StagedUpload;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes what an attempt made, fenced on the attempt ({@link OutputPublisher}): the MP4 the merge wrote, or the
 * one the live rendition staged ({@link #fromLive}); then records the outcome's announcement and deletes the
 * chunks (unless they are kept).
 */
final class MergePublication {

    private static final Logger LOG = LoggerFactory.getLogger(MergePublication.class);
    private static final Duration STORAGE_WAIT = Duration.ofMinutes(30);

    private final MergerConfig config;
    private final ChunkStore chunks;
    private final OutputPublisher publisher;
    private final Conclusion conclusion;
    private final MergeMetrics metrics;
    private final LiveOutput liveOutput;

    MergePublication(MergerConfig config, ChunkStore chunks, OutputPublisher publisher, Conclusion conclusion,
                     MergeMetrics metrics, LiveOutput liveOutput) {
        this.config = config;
        this.chunks = chunks;
        this.publisher = publisher;
        this.conclusion = conclusion;
        this.metrics = metrics;
        this.liveOutput = liveOutput;
    }

    /**
     * Publishes the MP4 the live rendition staged, if it did for exactly the chunks Redis records (the rendition read
     * each from storage, so its sizes stand for the listing); empty when the chunks must be merged instead.
     */
    Optional<Disposition> fromLive(Recording rec, Lease lease, SortedMap<Long, Long> inRedis, List<Long> voids,
                                   long started) throws InterruptedException {
        long waitStarted = System.nanoTime();
        Optional<LiveOutput.Staged> live = liveOutput.await(rec.id(), rec.chunks());
        if (live.isEmpty()) {
            LOG.atInfo().addKeyValue("recording", rec.id()).addKeyValue("reason", "no-live-mp4")
                    .addKeyValue("waitedMs", millisSince(waitStarted)).log("merge from chunks");
            return Optional.empty();
        }
        long awaited = System.nanoTime();
        ChunkPlan plan;
        try {
            // The rendition read every chunk from storage, so what it read stands for a listing of storage: the
            // chunks it holds must be exactly those Redis records (indices and sizes). Storage is not listed here:
            // a listing of an hour's chunks is 4 LIST requests, of 3 hours 11, which at the stop made the merge's
            // time grow with the recording's length (BENCHMARKS.md, section 10). A chunk storage lost after the
            // rendition read it is in the MP4 (and its SHA-256 in the manifest) all the same.
            plan = ContiguityCheck.verify(rec.chunks(), inRedis, LiveOutput.sizes(live.get().result().chunks()), voids);
        } catch (MergeFailure e) {
            // Whatever is wrong (a chunk missing, another size), the merge from the chunks finds and reports it.
            LOG.atWarn().addKeyValue("recording", rec.id()).addKeyValue("reason", "live-mp4-of-other-chunks")
                    .addKeyValue("error", e.getMessage()).log("merge from chunks");
            live.get().upload().discard();
            return Optional.empty();
        }
        if (MergePipeline.partsWithChunks(rec, plan).size() > 1) {
            // Declared parts are joined by the merge (PartsJoin); the rendition read them as one stream.
            LOG.atInfo().addKeyValue("recording", rec.id()).addKeyValue("reason", "parts")
                    .addKeyValue("parts", rec.parts().size()).log("merge from chunks");
            live.get().upload().discard();
            return Optional.empty();
        }
        long checked = System.nanoTime();
        MergeResult r = live.get().result();
        LOG.atInfo().addKeyValue("recording", rec.id()).addKeyValue("attempt", lease.attempt())
                .addKeyValue("awaitMs", (awaited - waitStarted) / 1_000_000)
                .addKeyValue("checkMs", (checked - awaited) / 1_000_000)
                .addKeyValue("chunks", plan.chunks().size()).addKeyValue("outputBytes", r.outputSize())
                .addKeyValue("outputSeconds", r.outputInfo().durationSeconds())
                .addKeyValue("waitedMs", millisSince(waitStarted)).log("merge from live rendition");
        // One part, as the merge describes a recording it read as one stream (MergePipeline.merge).
        Manifest.Part part = new Manifest.Part(0, 0, null, plan.chunkCount(), r.outputInfo().durationSeconds(),
                Manifest.iso(rec.parts().get(0).startedAt()), true);
        MergeResult withPart = new MergeResult(r.output(), r.outputSize(), r.outputInfo(), r.chunks(), r.codecs(),
                List.of(part));
        return Optional.of(publish(rec, lease, plan, withPart, live.get().upload(), started));
    }

    /** Uploads and publishes the MP4 the merge wrote (see {@link #publish(Recording, Lease, ChunkPlan, MergeResult, StagedUpload, long)}). */
    Disposition publish(Recording rec, Lease lease, ChunkPlan plan, MergeResult result, long started)
            throws InterruptedException {
        return publish(rec, lease, plan, result, null, started);
    }

    /**
     * Publishes {@code staged} (or uploads {@code result}'s MP4 first, when null) if the attempt still owns the
     * recording; ACK once the outcome is announced, LEAVE_PENDING when another attempt owns it or the announcement
     * is owed.
     */
    private Disposition publish(Recording rec, Lease lease, ChunkPlan plan, MergeResult result, StagedUpload staged,
                                long started) throws InterruptedException {
        RecordingId id = rec.id();
        boolean published = staged == null ? publisher.publish(rec, lease, plan, result)
                : publisher.publish(rec, lease, plan, result, staged, System.nanoTime());
        if (!published) {
            // Another attempt owns the recording (and maybe this very job, claimed from this worker): leave the
            // job to whoever has it; delivered again, it finds the outcome recorded.
            metrics.record(Outcome.SKIPPED, Duration.ofNanos(System.nanoTime() - started));
            return Disposition.LEAVE_PENDING;
        }
        metrics.inputBytes(plan.totalBytes());
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        metrics.record(Outcome.COMPLETED, took);
        LOG.atInfo().addKeyValue("recording", id).addKeyValue("attempt", lease.attempt())
                .addKeyValue("chunks", plan.chunks().size()).addKeyValue("voids", plan.voids().size())
                .addKeyValue("bytes", plan.totalBytes()).addKeyValue("outputBytes", result.outputSize())
                .addKeyValue("outputSeconds", result.outputInfo().durationSeconds())
                .addKeyValue("codecs", result.codecs()).addKeyValue("durationMs", took.toMillis())
                .log("merge completed");
        boolean announced = conclusion.conclude(id, RecordingState.COMPLETED);
        if (!config.keepChunks()) {
            try {
                Await.within(chunks.deleteChunks(id), STORAGE_WAIT);
                LOG.atInfo().addKeyValue("recording", id).addKeyValue("chunks", plan.chunks().size())
                        .log("chunks deleted");
            } catch (MergeFailure e) {
                // The output is safe; leftover chunks cost storage, not correctness.
                LOG.atWarn().addKeyValue("recording", id).addKeyValue("reason", e.getMessage()).log("chunks not deleted");
            }
        }
        return announced ? Disposition.ACK : Disposition.LEAVE_PENDING;
    }

    private static long millisSince(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }
}
