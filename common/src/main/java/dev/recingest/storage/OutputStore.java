package dev.recingest.storage;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Where the merged outputs (recording.mp4, manifest.json) live. Failures are
 * {@link dev.recingest.protocol.IngestException}s: STORAGE_UNAVAILABLE (retryable) or NOT_FOUND.
 */
public interface OutputStore {

    /** Uploads a local file with multipart upload (parts read one at a time; memory stays bounded). */
    CompletableFuture<Void> uploadFile(String key, Path file, String contentType);

    CompletableFuture<Void> putBytes(String key, byte[] bytes, String contentType);

    CompletableFuture<byte[]> getBytes(String key);

    /** The object's size, or empty when it does not exist. */
    CompletableFuture<Optional<Long>> size(String key);

    CompletableFuture<Void> delete(String key);

    /** Every object under {@code prefix}: its key and when it was last written. */
    CompletableFuture<Map<String, Instant>> list(String prefix);

    /** The storage layout, to name a recording's output and manifest. */
    ObjectKeys keys();

    /** A time-limited URL to GET the object without credentials. */
    URI presignGet(String key, Duration validity);
}
