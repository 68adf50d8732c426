package dev.recingest.storage;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Where the merged outputs (recording.mp4, manifest.json) live. Failures are
 * {@link dev.recingest.protocol.IngestException}s: STORAGE_UNAVAILABLE (retryable) or NOT_FOUND.
 */
public interface OutputStore {

    /** Uploads a local file with multipart upload (parts read one at a time; memory stays bounded). */
    default CompletableFuture<Void> uploadFile(String key, Path file, String contentType) {
        return stageFile(key, file, contentType).thenCompose(StagedUpload::publish);
    }

    /**
     * Uploads a local file the way {@link #uploadFile} does but leaves it invisible: nothing at {@code key}
     * changes until {@link StagedUpload#publish()}. The slow part of writing an output happens here, so that
     * whether to publish at all can be decided afterwards, in one short step. Fails like {@link #uploadFile};
     * after a failure nothing is left behind.
     */
    CompletableFuture<StagedUpload> stageFile(String key, Path file, String contentType);

    /**
     * An object uploaded by {@link #stageFile} and not visible yet (an S3 multipart upload not completed).
     * Call exactly one of {@link #publish} and {@link #discard}; a staged upload never published costs
     * storage until the bucket's lifecycle rule for incomplete multipart uploads removes it.
     */
    interface StagedUpload {

        String key();

        /** Makes the object visible at its key, replacing what is there, in one request. */
        CompletableFuture<Void> publish();

        /** Drops the uploaded bytes; nothing at the key changes. */
        CompletableFuture<Void> discard();
    }

    CompletableFuture<Void> putBytes(String key, byte[] bytes, String contentType);

    CompletableFuture<byte[]> getBytes(String key);

    /** The object's size, or empty when it does not exist. */
    CompletableFuture<Optional<Long>> size(String key);

    CompletableFuture<Void> delete(String key);

    /** The storage layout, to name a recording's output and manifest. */
    ObjectKeys keys();

    /** A time-limited URL to GET the object without credentials. */
    URI presignGet(String key, Duration validity);
}
