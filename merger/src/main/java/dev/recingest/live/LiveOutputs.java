package dev.recingest.live;

import dev.recingest.merge.Await;
import dev.recingest.merge.LiveOutput;
import dev.recingest.merge.MediaInfo;
import dev.recingest.merge.MergeResult;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.LiveIndex;
import dev.recingest.storage.MultipartUploads;
import dev.recingest.storage.OutputStore;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The merge's side of the live rendition ({@link LiveOutput}): waits for the recording's rendition to stage its MP4
 * ({@code live/mp4-final.json}), which it usually does within a second of the stop (the rendition sees the stop at
 * its next poll, FFmpeg flushes, the last segment and the MP4's first part go up). It gives up, and the merge
 * merges the chunks, when there is no rendition (nothing in Redis and no lease held), when the rendition failed,
 * when it staged the MP4 of other chunks, or after {@code RECINGEST_LIVE_FINISH_TIMEOUT}. Storage is asked now
 * and then as well as Redis: a Redis that went back may have lost the rendition's status, not its output.
 */
public final class LiveOutputs implements LiveOutput {

    private static final Logger LOG = LoggerFactory.getLogger(LiveOutputs.class);
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final long POLL_MS = 50;
    private static final long STORAGE_EVERY_MS = 1000;

    private final LiveConfig config;
    private final LiveIndex index;
    private final OutputStore outputs;
    private final MultipartUploads uploads;

    public LiveOutputs(LiveConfig config, LiveIndex index, OutputStore outputs, MultipartUploads uploads) {
        this.config = config;
        this.index = index;
        this.outputs = outputs;
        this.uploads = uploads;
    }

    @Override
    public Optional<Staged> await(RecordingId id, long chunkCount) throws InterruptedException {
        if (!config.enabled()) {
            return Optional.empty();
        }
        long deadline = System.nanoTime() + config.finishTimeout().toNanos();
        long nextStorageLook = 0;
        while (System.nanoTime() < deadline) {
            Map<String, String> status = Await.within(index.status(id), WAIT);
            boolean finalInRedis = status.containsKey("finalAt");
            if ("FAILED".equals(status.get("state"))) {
                LOG.atInfo().addKeyValue("recording", id).addKeyValue("reason", "rendition-failed").addKeyValue("error", status.get("error"))
                        .log("live mp4 unavailable");
                return Optional.empty();
            }
            if (finalInRedis || System.nanoTime() >= nextStorageLook) {
                nextStorageLook = System.nanoTime() + STORAGE_EVERY_MS * 1_000_000;
                Optional<FinalOutput> f = Resumption.optional(outputs.getBytes(outputs.keys().liveFile(id, "mp4-final.json")))
                        .map(FinalOutput::fromJson);
                if (f.isPresent()) {
                    return staged(id, f.get(), chunkCount);
                }
                if (finalInRedis) {
                    LOG.atInfo().addKeyValue("recording", id).addKeyValue("reason", "discarded").log("live mp4 unavailable");
                    return Optional.empty(); // staged once, then discarded by an earlier attempt
                }
            }
            if (status.isEmpty() && !Await.within(index.held(id), WAIT)) {
                LOG.atInfo().addKeyValue("recording", id).addKeyValue("reason", "no-rendition").log("live mp4 unavailable");
                return Optional.empty();
            }
            Thread.sleep(POLL_MS);
        }
        LOG.atWarn().addKeyValue("recording", id).addKeyValue("reason", "timeout")
                .addKeyValue("durationMs", config.finishTimeout().toMillis()).log("live mp4 unavailable");
        return Optional.empty();
    }

    private Optional<Staged> staged(RecordingId id, FinalOutput f, long chunkCount) {
        var staged = uploads.staged(outputs.keys().output(id), f.uploadId(), f.parts());
        String finalKey = outputs.keys().liveFile(id, "mp4-final.json");
        // Discarded (not used by the merge): the upload is aborted and its description goes with it, so that a
        // later attempt (a re-merge) merges the chunks instead of finding an upload that no longer exists.
        OutputStore.StagedUpload upload = new OutputStore.StagedUpload() {
            @Override
            public String key() {
                return staged.key();
            }

            @Override
            public java.util.concurrent.CompletableFuture<Void> publish() {
                return staged.publish();
            }

            @Override
            public java.util.concurrent.CompletableFuture<Void> discard() {
                return staged.discard().handle((x, e) -> null).thenCompose(x -> outputs.delete(finalKey));
            }
        };
        if (f.chunkCount() != chunkCount) {
            LOG.atWarn().addKeyValue("recording", id).addKeyValue("reason", "other-chunks").addKeyValue("liveChunks", f.chunkCount())
                    .addKeyValue("chunks", chunkCount).log("live mp4 unavailable");
            upload.discard();
            return Optional.empty();
        }
        MediaInfo info = new MediaInfo("mov,mp4,m4a,3gp,3g2,mj2", f.durationSeconds(), f.streams());
        return Optional.of(new Staged(upload, new MergeResult(null, f.size(), info, f.chunks(), f.codecs(), java.util.List.of()), f.chunkCount()));
    }

}
