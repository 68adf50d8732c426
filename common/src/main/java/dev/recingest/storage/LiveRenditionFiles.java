package dev.recingest.storage;

import dev.recingest.protocol.ErrorCode;
import dev.recingest.protocol.IngestException;
import dev.recingest.protocol.Json;
import dev.recingest.protocol.RecordingId;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * What a recording's live rendition leaves in storage besides objects: the multipart upload of its MP4, started
 * as media comes and named in {@code live/mp4-upload.json}. An upload neither completed nor aborted is invisible
 * and costs storage until a bucket lifecycle rule removes it, so a rendition that fails for good or whose recording
 * goes away aborts it, and deleting a recording aborts it before its {@code live/} objects are deleted.
 */
public final class LiveRenditionFiles {

    /** The rendition's state file that names its MP4 upload: {@code {"key": ..., "uploadId": ...}}. */
    public static final String UPLOAD = "mp4-upload.json";

    private LiveRenditionFiles() {
    }

    /**
     * Aborts the rendition's MP4 upload, if it started one; true when an upload was named (an upload that was
     * completed or aborted meanwhile counts: aborting it again changes nothing).
     */
    public static CompletableFuture<Boolean> abortUpload(OutputStore outputs, MultipartUploads uploads, RecordingId id) {
        return outputs.getBytes(outputs.keys().liveFile(id, UPLOAD)).handle((bytes, e) -> {
            if (e != null) {
                if (notFound(e)) {
                    return null;
                }
                throw e instanceof CompletionException ce ? ce : new CompletionException(e);
            }
            try {
                return Json.MAPPER.readTree(bytes).path("uploadId").asText(null);
            } catch (IOException bad) {
                return null; // not ours to read: nothing to abort
            }
        }).thenCompose(uploadId -> {
            if (uploadId == null) {
                return CompletableFuture.completedFuture(false);
            }
            return uploads.staged(outputs.keys().output(id), uploadId, List.of()).discard().handle((x, e) -> {
                if (e != null && !notFound(e)) {
                    throw e instanceof CompletionException ce ? ce : new CompletionException(e);
                }
                return true;
            });
        });
    }

    /**
     * Deletes the live rendition: aborts its MP4 upload ({@code outputs} is also the {@link MultipartUploads} of an
     * S3 store), then deletes every object under {@code live/}, the playlist last.
     */
    public static CompletableFuture<Void> delete(OutputStore outputs, RecordingId id) {
        CompletableFuture<Boolean> aborted = outputs instanceof MultipartUploads uploads
                ? abortUpload(outputs, uploads, id) : CompletableFuture.completedFuture(false);
        String playlist = outputs.keys().livePlaylist(id);
        return aborted.thenCompose(x -> outputs.list(outputs.keys().live(id))).thenCompose(objects -> {
            CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
            for (String key : objects.keySet()) {
                if (!key.equals(playlist)) {
                    chain = chain.thenCompose(y -> outputs.delete(key));
                }
            }
            return objects.containsKey(playlist) ? chain.thenCompose(y -> outputs.delete(playlist)) : chain;
        });
    }

    private static boolean notFound(Throwable e) {
        return IngestException.from(e).code() == ErrorCode.NOT_FOUND;
    }
}
