package dev.recingest.state;

import dev.recingest.protocol.RecordingId;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;

/**
 * How long a recording's Redis keys live once it ended: they expire after the retention time (storage stays the
 * durable record), a re-merge makes them permanent again, an aborted recording leaves a tombstone, a deleted one
 * nothing. Non-blocking, like {@link RecordingStore} (whose {@link RecordingStore#retention()} makes one).
 */
public final class RecordRetention {

    private final RedisClusterAsyncCommands<String, String> redis;

    RecordRetention(RedisClusterAsyncCommands<String, String> redis) {
        this.redis = redis;
    }

    /** Lets the keys of an ended recording expire; the S3 objects stay the durable record. */
    public CompletableFuture<Void> expire(RecordingId id, Duration ttl) {
        RecordingKeys k = new RecordingKeys(id);
        String[] keys = k.all();
        CompletableFuture<?>[] all = new CompletableFuture<?>[keys.length + 1];
        for (int i = 0; i < keys.length; i++) {
            all[i] = redis.pexpire(keys[i], ttl.toMillis()).toCompletableFuture();
        }
        // Ended: no live rendition has work left (one still running notices and stops, see LiveIndex).
        all[keys.length] = redis.zrem(RecordingKeys.LIVE_INDEX, id.value()).toCompletableFuture();
        return CompletableFuture.allOf(all);
    }

    /** Cancels {@link #expire}: a recording that is being worked on again (a re-merge) must not vanish. */
    public CompletableFuture<Void> persist(RecordingId id) {
        String[] keys = new RecordingKeys(id).all();
        CompletableFuture<?>[] all = new CompletableFuture<?>[keys.length];
        for (int i = 0; i < keys.length; i++) {
            all[i] = redis.persist(keys[i]).toCompletableFuture();
        }
        return CompletableFuture.allOf(all);
    }

    /** Removes ids from the listing index (ids whose keys expired); the recordings' own keys are untouched. */
    public CompletableFuture<Long> unlist(Collection<String> ids) {
        if (ids.isEmpty()) {
            return CompletableFuture.completedFuture(0L);
        }
        return redis.zrem(RecordingKeys.RECORDINGS_INDEX, ids.toArray(String[]::new)).toCompletableFuture();
    }

    /**
     * Deletes the recording's chunk bookkeeping and listing entry but keeps its meta record for {@code ttl}:
     * a tombstone, so that a recorder still connected, or reconnecting, is told NOT_OPEN (4409) instead of
     * starting a new recording under the same id.
     */
    public CompletableFuture<Void> tombstone(RecordingId id, Duration ttl) {
        RecordingKeys k = new RecordingKeys(id);
        return redis.del(k.next, k.stored, k.voids, k.parts, k.live, k.liveLease).toCompletableFuture()
                .thenCompose(n -> redis.pexpire(k.meta, ttl.toMillis()).toCompletableFuture())
                .thenCompose(n -> redis.zrem(RecordingKeys.RECORDINGS_INDEX, id.value()).toCompletableFuture())
                .thenCompose(n -> redis.zrem(RecordingKeys.LIVE_INDEX, id.value()).toCompletableFuture())
                .thenApply(n -> null);
    }

    /** Deletes every key of the recording and its entry in the listing index. */
    public CompletableFuture<Void> delete(RecordingId id) {
        return redis.del(new RecordingKeys(id).all()).toCompletableFuture()
                .thenCompose(n -> redis.zrem(RecordingKeys.RECORDINGS_INDEX, id.value()).toCompletableFuture())
                .thenCompose(n -> redis.zrem(RecordingKeys.OPEN_INDEX, id.value()).toCompletableFuture())
                .thenCompose(n -> redis.zrem(RecordingKeys.LIVE_INDEX, id.value()).toCompletableFuture())
                .thenApply(n -> null);
    }
}
