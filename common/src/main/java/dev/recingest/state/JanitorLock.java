package dev.recingest.state;

import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * The lock that lets one janitor at a time sweep, across every gateway: {@code SET recingest:janitor-lock
 * <token> NX PX <ttl>}, renewed and released only by the token that holds it (lock.lua). The holder keeps
 * it from pass to pass by renewing it; if the holder dies, the lock expires after its ttl and another
 * gateway's janitor takes over.
 *
 * <p>The lock saves work rather than guarding correctness: every step of a sweep is one atomic script,
 * so two janitors that overlap (a holder paused past its ttl) do the same thing twice, and a merge job
 * queued twice is skipped by the merger once the recording has left STOPPED.
 */
public final class JanitorLock {

    private static final LuaScript LOCK = LuaScript.load("lock");

    private final RedisClusterAsyncCommands<String, String> redis;
    private final String token = UUID.randomUUID().toString();
    private final Duration ttl;

    public JanitorLock(RedisClusterAsyncCommands<String, String> redis, Duration ttl) {
        if (ttl.toMillis() < 1) {
            throw new IllegalArgumentException("the lock ttl must be at least 1 ms");
        }
        this.redis = redis;
        this.ttl = ttl;
    }

    /** True when this holder has the lock for another ttl: renewed if it held it, taken if it was free. */
    public CompletableFuture<Boolean> acquire() {
        return LOCK.run(redis, new String[] {RecordingKeys.JANITOR_LOCK}, token, Long.toString(ttl.toMillis()))
                .thenCompose(r -> ((Long) r.get(0)) == 1 ? CompletableFuture.completedFuture(true)
                        : redis.set(RecordingKeys.JANITOR_LOCK, token, SetArgs.Builder.nx().px(ttl.toMillis()))
                                .toCompletableFuture().thenApply("OK"::equals));
    }

    /** Gives the lock up if this holder has it. */
    public CompletableFuture<Boolean> release() {
        return LOCK.run(redis, new String[] {RecordingKeys.JANITOR_LOCK}, token, "0")
                .thenApply(r -> ((Long) r.get(0)) == 1);
    }
}
