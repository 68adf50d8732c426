package dev.recingest.state;

import dev.recingest.protocol.RecordingId;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.SetArgs;
import io.lettuce.core.ZAddArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Who renders which recording live, in Redis. {@code recingest:live} (a sorted set, one global key) lists the
 * recordings with live work to do, scored by when a worker should look at each next: a recording enters it when
 * it starts (due at once, see {@link RecordingStore#start}) and leaves it when it ends ({@link RecordingStore#expire}
 * and the deletes) or its rendition is finished. A worker takes a recording with {@code SET rec:{id}:live-lease
 * <token> NX PX <lease>}, then moves its score to when the lease runs out; it keeps the lease by renewing it with
 * its status ({@code live_hold.lua}: nothing is written once the token no longer holds it). A worker that dies
 * stops renewing, the lease expires, the score comes due, and another worker takes the recording over from what
 * storage holds. Status ({@code rec:{id}:live}, a hash): see {@link #status}.
 *
 * <p>Every command touches one key, or one recording's keys (one hash slot): the index is on a slot of its own.
 */
public final class LiveIndex {

    private static final LuaScript HOLD = LuaScript.load("live_hold");

    private final RedisClusterAsyncCommands<String, String> redis;
    private final Clock clock;

    public LiveIndex(RedisClusterAsyncCommands<String, String> redis, Clock clock) {
        this.redis = redis;
        this.clock = clock;
    }

    /** Recordings due for a look now (no lease taken, or one that may have run out), earliest first. */
    public CompletableFuture<List<String>> due(int limit) {
        return redis.zrangebyscore(RecordingKeys.LIVE_INDEX, Range.create(0, clock.millis()), Limit.create(0, limit))
                .toCompletableFuture().thenApply(ArrayList::new);
    }

    /** Adds a recording (due now) unless it is listed: for a recording found without its entry. */
    public CompletableFuture<Void> list(RecordingId id) {
        return redis.zadd(RecordingKeys.LIVE_INDEX, ZAddArgs.Builder.nx(), clock.millis(), id.value())
                .toCompletableFuture().thenApply(x -> null);
    }

    /** Takes the recording's lease for {@code token} if nobody holds it; true when taken. */
    public CompletableFuture<Boolean> acquire(RecordingId id, String token, Duration lease) {
        RecordingKeys k = new RecordingKeys(id);
        return redis.set(k.liveLease, token, SetArgs.Builder.nx().px(lease.toMillis())).toCompletableFuture()
                .thenCompose(ok -> !"OK".equals(ok) ? CompletableFuture.completedFuture(false)
                        : reschedule(id, lease).thenApply(x -> true));
    }

    /**
     * Renews the lease and writes {@code status} (field, value pairs) while {@code token} holds it; false when it
     * does not (the caller must stop: another worker may be taking the recording over).
     */
    public CompletableFuture<Boolean> hold(RecordingId id, String token, Duration lease, Map<String, String> status) {
        RecordingKeys k = new RecordingKeys(id);
        List<String> args = new ArrayList<>(List.of(token, Long.toString(lease.toMillis())));
        status.forEach((f, v) -> {
            args.add(f);
            args.add(v);
        });
        return HOLD.run(redis, new String[] {k.liveLease, k.live}, args.toArray(String[]::new))
                .thenCompose(r -> ((Long) r.get(0)) == 1 ? reschedule(id, lease).thenApply(x -> true)
                        : CompletableFuture.completedFuture(false));
    }

    /** Gives the lease up (when the rendition is finished or handed on), if {@code token} holds it. */
    public CompletableFuture<Void> release(RecordingId id, String token) {
        RecordingKeys k = new RecordingKeys(id);
        return redis.eval("if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0",
                io.lettuce.core.ScriptOutputType.INTEGER, new String[] {k.liveLease}, token).toCompletableFuture()
                .thenApply(x -> null);
    }

    /** No live work is left for the recording (its rendition finished, or it ended without one). */
    public CompletableFuture<Void> remove(RecordingId id) {
        return redis.zrem(RecordingKeys.LIVE_INDEX, id.value()).toCompletableFuture().thenApply(x -> null);
    }

    /** Drops an index entry that names no valid recording. */
    public CompletableFuture<Void> forget(String member) {
        return redis.zrem(RecordingKeys.LIVE_INDEX, member).toCompletableFuture().thenApply(x -> null);
    }

    /**
     * The rendition's status as its worker last wrote it (empty when none): {@code state} ({@code LIVE}, {@code ENDED}
     * once the playlist has its end, {@code FAILED}), {@code segments}, {@code durationSeconds} (listed),
     * {@code chunks} (chunks fed to the remux), {@code chunksBehind} (committed, not fed yet), {@code updatedAt}, {@code liveAt} (first segment
     * listed, epoch ms), {@code finalAt} (the MP4 is staged, epoch ms), {@code error}.
     */
    public CompletableFuture<Map<String, String>> status(RecordingId id) {
        return redis.hgetall(new RecordingKeys(id).live).toCompletableFuture();
    }

    /** Whether any worker holds the recording's lease now. */
    public CompletableFuture<Boolean> held(RecordingId id) {
        return redis.exists(new RecordingKeys(id).liveLease).toCompletableFuture().thenApply(n -> n > 0);
    }

    private CompletableFuture<Long> reschedule(RecordingId id, Duration lease) {
        return redis.zadd(RecordingKeys.LIVE_INDEX, ZAddArgs.Builder.xx(), clock.millis() + lease.toMillis(), id.value())
                .toCompletableFuture();
    }
}
