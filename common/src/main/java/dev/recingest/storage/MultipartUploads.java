package dev.recingest.storage;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Objects written part by part over a long time: the live rendition's MP4, whose media are uploaded while the
 * recording goes on and whose first part (the {@code moov}, which names every sample) only at its end. S3
 * assembles a completed upload by part number, not by upload time, and shows nothing at the key until then.
 * Every part but the last must be at least {@link #MIN_PART} bytes. A capability of an object store next to
 * {@link OutputStore}; failures are {@link dev.recingest.protocol.IngestException}s of code STORAGE_UNAVAILABLE
 * (retryable) or NOT_FOUND (an upload that was aborted or completed meanwhile).
 */
public interface MultipartUploads {

    /** S3's smallest part but the last. */
    long MIN_PART = 5L << 20;

    /** An uploaded part: what completing the upload needs (its number and ETag), and its size. */
    record Part(int number, String etag, long size) {
    }

    /** Starts an upload; its id. */
    CompletableFuture<String> createUpload(String key, String contentType);

    /** Uploads {@code length} bytes of {@code file} from {@code position} as part {@code number} (replacing one so numbered). */
    CompletableFuture<Part> uploadPart(String key, String uploadId, int number, Path file, long position, long length);

    /** The upload as a {@link OutputStore.StagedUpload}: publish completes it with {@code parts}, discard aborts it. */
    OutputStore.StagedUpload staged(String key, String uploadId, List<Part> parts);

    /** Bytes {@code [from, from + length)} of an object (fewer at its end). */
    CompletableFuture<byte[]> getRange(String key, long from, long length);
}
