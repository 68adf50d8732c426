package dev.recingest.merge;

import dev.recingest.protocol.RecordingId;
import dev.recingest.state.Outcomes.Transition;
import dev.recingest.state.Outcomes.TransitionKind;
import dev.recingest.state.MetaFields;
import dev.recingest.state.RecordingState;
import dev.recingest.state.RecordingStore;
import dev.recingest.state.Recording;
import dev.recingest.storage.ObjectKeys;
import dev.recingest.storage.OutputStore;
import dev.recingest.storage.OutputStore.StagedUpload;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes what one merge attempt made ({@code recording.mp4}, {@code manifest.json}) only if that attempt
 * still owns the recording, and records it COMPLETED.
 *
 * <p>Why it is built this way: two attempts can end up on one recording (one whose lease ran out during a
 * long pause, and the one that took over), and an admin can DELETE a recording once it is COMPLETED. The
 * S3 server gives no conditional write to fence on (s3proxy ignores {@code If-None-Match}), and the output
 * key is fixed by PROTOCOL.md, so an attempt-specific key published by the manifest is not an option. What
 * S3 does give: a multipart upload is invisible until it is completed, and completing it is one request.
 * So the slow part (uploading the parts) happens first, out of sight; then the attempt claims publication
 * in Redis (a script that checks the recording is MERGING under this attempt's id and renews its lease);
 * only then does it complete the upload and write the manifest, two short requests; and the MERGING to
 * COMPLETED transition is fenced on the attempt id again. An attempt that loses the claim discards its
 * upload: nothing of it was ever visible. An attempt that finds, after writing, that the recording was
 * deleted meanwhile deletes what it wrote. What remains is an attempt that is paused for longer than a
 * whole lease exactly between its claim and its two writes, while another attempt completes: its writes
 * then land over the winner's, with an equivalent output of the same chunks (logged as superseded).
 */
final class OutputPublisher {

    private static final Logger LOG = LoggerFactory.getLogger(OutputPublisher.class);
    private static final Duration REDIS_WAIT = Duration.ofSeconds(30);
    private static final Duration STORAGE_WAIT = Duration.ofMinutes(30);

    private final RecordingStore recordings;
    private final OutputStore outputs;
    private final ObjectKeys keys;
    private final Lease.Terms leaseTerms;
    private final Clock clock;

    /** @param leaseTerms how the claim renews the recording's lease, as the lease's renewals do */
    OutputPublisher(RecordingStore recordings, OutputStore outputs, ObjectKeys keys, Lease.Terms leaseTerms, Clock clock) {
        this.recordings = recordings;
        this.outputs = outputs;
        this.keys = keys;
        this.leaseTerms = leaseTerms;
        this.clock = clock;
    }

    /**
     * @return true when this attempt published and recorded the recording COMPLETED; false when another
     *         attempt (or an admin) got there first, in which case nothing of this attempt stays visible
     *         (but for the window the class comment describes)
     */
    boolean publish(Recording rec, Lease lease, ChunkPlan plan, MergeResult result) throws InterruptedException {
        long uploadStarted = System.nanoTime();
        StagedUpload staged = Await.within(outputs.stageFile(keys.output(rec.id()), result.output(), "video/mp4"), STORAGE_WAIT);
        return publish(rec, lease, plan, result, staged, uploadStarted);
    }

    /**
     * Publishes an output that is uploaded already (the live rendition's MP4, {@link LiveOutput}) the same way: only
     * if this attempt still owns the recording; otherwise the upload is discarded.
     */
    boolean publish(Recording rec, Lease lease, ChunkPlan plan, MergeResult result, StagedUpload staged, long uploadStarted)
            throws InterruptedException {
        RecordingId id = rec.id();
        String outputKey = keys.output(id);
        boolean handedOver = false;
        long claimStarted = System.nanoTime();
        long claimed;
        try {
            if (!claim(id, lease)) {
                return false;
            }
            claimed = System.nanoTime();
            handedOver = true; // a publish that fails discards its upload itself
            Await.within(staged.publish(), STORAGE_WAIT);
        } finally {
            if (!handedOver) {
                discard(staged);
            }
        }
        long completed = System.nanoTime();
        // completeMs: the storage's CompleteMultipartUpload (or the one PUT of a small output), request to answer.
        LOG.atInfo().addKeyValue("recording", id).addKeyValue("outputBytes", result.outputSize())
                .addKeyValue("durationMs", (completed - uploadStarted) / 1_000_000)
                .addKeyValue("claimMs", (claimed - claimStarted) / 1_000_000)
                .addKeyValue("completeMs", (completed - claimed) / 1_000_000).log("output uploaded");
        Map<String, String> fields = Await.within(recordings.fields(id), REDIS_WAIT);
        Instant stoppedAt = fields.containsKey(MetaFields.STOPPED_AT)
                ? Instant.ofEpochMilli(Long.parseLong(fields.get(MetaFields.STOPPED_AT))) : null;
        Manifest manifest = Manifest.of(rec, stoppedAt, clock.instant(), plan, result, outputKey);
        byte[] manifestJson = manifest.toJson();
        Await.within(outputs.putBytes(keys.manifest(id), manifestJson, "application/json"), STORAGE_WAIT);
        long manifestWritten = System.nanoTime();
        Transition done = Await.within(recordings.transitionIf(id, List.of(RecordingState.MERGING), RecordingState.COMPLETED,
                MetaFields.MERGE_ATTEMPT_ID, lease.attemptId(),
                Map.of(MetaFields.OUTPUT_KEY, outputKey, MetaFields.OUTPUT_SIZE, Long.toString(result.outputSize()),
                        MetaFields.DURATION_SECONDS, Double.toString(result.outputInfo().durationSeconds()),
                        MetaFields.COMPLETED_AT, Long.toString(clock.millis()))), REDIS_WAIT);
        if (!done.ok()) {
            afterLoss(id, lease, done);
            return false;
        }
        LOG.atInfo().addKeyValue("recording", id).addKeyValue("manifestBytes", manifestJson.length)
                .addKeyValue("manifestMs", (manifestWritten - completed) / 1_000_000)
                .addKeyValue("transitionMs", (System.nanoTime() - manifestWritten) / 1_000_000).log("output published");
        return true;
    }

    /** Whether this attempt may make its output visible: it holds its lease and is the recording's current attempt. */
    private boolean claim(RecordingId id, Lease lease) throws InterruptedException {
        if (!lease.held()) {
            LOG.atWarn().addKeyValue("recording", id).addKeyValue("attempt", lease.attempt())
                    .addKeyValue("reason", "lease-lost").log("merge abandoned");
            return false;
        }
        Transition t = Await.within(recordings.transitionIf(id, List.of(RecordingState.MERGING), RecordingState.MERGING,
                MetaFields.MERGE_ATTEMPT_ID, lease.attemptId(), leaseTerms.fromNow()), REDIS_WAIT);
        if (!t.ok()) {
            LOG.atWarn().addKeyValue("recording", id).addKeyValue("attempt", lease.attempt())
                    .addKeyValue("reason", "superseded").addKeyValue("outcome", t.kind())
                    .addKeyValue("state", t.previous()).log("merge abandoned");
        }
        return t.ok();
    }

    /**
     * This attempt wrote its output but the recording is no longer its own. If the recording was deleted (or
     * aborted) meanwhile, what it wrote must go too; otherwise another attempt owns the keys and is left alone.
     */
    private void afterLoss(RecordingId id, Lease lease, Transition t) throws InterruptedException {
        if (t.kind() == TransitionKind.UNKNOWN || t.previous() == RecordingState.ABORTED) {
            for (String key : List.of(keys.output(id), keys.manifest(id))) {
                try {
                    Await.within(outputs.delete(key), STORAGE_WAIT);
                } catch (MergeFailure e) {
                    LOG.atError().addKeyValue("recording", id).addKeyValue("key", key)
                            .addKeyValue("reason", e.getMessage()).log("merge output not withdrawn");
                }
            }
            LOG.atWarn().addKeyValue("recording", id).addKeyValue("attempt", lease.attempt())
                    .addKeyValue("reason", "recording-deleted-meanwhile").log("merge output withdrawn");
        } else {
            LOG.atWarn().addKeyValue("recording", id).addKeyValue("attempt", lease.attempt())
                    .addKeyValue("outcome", t.kind()).addKeyValue("state", t.previous())
                    .log("merge superseded after publishing");
        }
    }

    private static void discard(StagedUpload staged) {
        staged.discard().whenComplete((r, e) -> {
            if (e != null) {
                LOG.atWarn().addKeyValue("key", staged.key()).addKeyValue("reason", e.toString())
                        .log("staged upload not discarded");
            }
        });
    }
}
