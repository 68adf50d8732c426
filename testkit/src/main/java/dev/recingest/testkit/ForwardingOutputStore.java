package dev.recingest.testkit;

import dev.recingest.storage.ObjectKeys;
import dev.recingest.storage.OutputStore;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * An {@link OutputStore} that forwards every call to a real one: a test overrides the one call it wants slowed,
 * held or failed, and the rest reach the S3 server as they would.
 */
public abstract class ForwardingOutputStore implements OutputStore {

    protected final OutputStore delegate;

    protected ForwardingOutputStore(OutputStore delegate) {
        this.delegate = delegate;
    }

    @Override
    public CompletableFuture<StagedUpload> stageFile(String key, Path file, String contentType) {
        return delegate.stageFile(key, file, contentType);
    }

    @Override
    public CompletableFuture<Void> putBytes(String key, byte[] bytes, String contentType) {
        return delegate.putBytes(key, bytes, contentType);
    }

    @Override
    public CompletableFuture<byte[]> getBytes(String key) {
        return delegate.getBytes(key);
    }

    @Override
    public CompletableFuture<Optional<Long>> size(String key) {
        return delegate.size(key);
    }

    @Override
    public CompletableFuture<Void> delete(String key) {
        return delegate.delete(key);
    }

    @Override
    public CompletableFuture<Map<String, Instant>> list(String prefix) {
        return delegate.list(prefix);
    }

    @Override
    public ObjectKeys keys() {
        return delegate.keys();
    }

    @Override
    public URI presignGet(String key, Duration validity) {
        return delegate.presignGet(key, validity);
    }
}
