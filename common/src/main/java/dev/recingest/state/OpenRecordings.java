package dev.recingest.state;

import dev.recingest.protocol.RecordingId;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.ZAddArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The janitor's view of Redis: the index of recordings that may still need it ({@code recingest:open},
 * scored by when to look at each next) and the per-recording sweep script. The per-chunk scripts never
 * touch the index (it is a global key on another slot, and the hot path stays at one script call for
 * assign and one for commit); {@link RecordingStore#start} adds a recording when it is created or resumed,
 * and the janitor reschedules or removes it after each sweep.
 */
public final class OpenRecordings {

    private static final LuaScript SWEEP = LuaScript.load("sweep");
    private static final LuaScript UNINDEX = LuaScript.load("unindex");

    private final RedisClusterAsyncCommands<String, String> redis;

    public OpenRecordings(RedisClusterAsyncCommands<String, String> redis) {
        this.redis = redis;
    }

    /** An index entry: the recording and the time (epoch ms) it was due to be looked at. */
    public record Due(String recordingId, double score) {
    }

    public enum SweepKind { ACTIVE, STALLED, IDLE, STOPPED, FAILED, NOT_OPEN, UNKNOWN }

    /**
     * What one sweep found or did.
     *
     * @param lastActivity  ACTIVE, STALLED, IDLE: the last chunk, start or resume (epoch ms)
     * @param changed       STALLED: this sweep stalled it (it was RECORDING)
     * @param chunks        STOPPED, FAILED: the chunk count N
     * @param indices       STOPPED: void indices; FAILED: the missing ones (at most 1000)
     * @param state         NOT_OPEN: the recording's state
     * @param stoppedAt     NOT_OPEN: when it was stopped (epoch ms), or -1
     * @param mergeQueuedAt NOT_OPEN: when its merge was queued (epoch ms), or -1 if never
     */
    public record Sweep(SweepKind kind, long lastActivity, boolean changed, long chunks, List<Long> indices, RecordingState state,
                        long stoppedAt, long mergeQueuedAt) {
    }

    /** Entries due at or before {@code nowMillis}, earliest first, at most {@code limit}. */
    public CompletableFuture<List<Due>> due(long nowMillis, int limit) {
        return redis.zrangebyscoreWithScores(RecordingKeys.OPEN_INDEX, Range.create(0, nowMillis), Limit.create(0, limit))
                .toCompletableFuture().thenApply(list -> {
                    List<Due> out = new ArrayList<>(list.size());
                    for (ScoredValue<String> v : list) {
                        out.add(new Due(v.getValue(), v.getScore()));
                    }
                    return out;
                });
    }

    /**
     * Marks the recording STALLED if its last activity is at or before {@code stallCutoff}, or, if it is at or
     * before {@code idleCutoff}, auto-stops it when {@code mayStop} (see sweep.lua for what auto-stop does with
     * gaps) and answers IDLE otherwise: an auto-stop must come after Redis was made to agree with storage.
     */
    public CompletableFuture<Sweep> sweep(RecordingId id, long stallCutoff, long idleCutoff, long nowMillis,
                                          boolean mayStop) {
        RecordingKeys k = new RecordingKeys(id);
        return SWEEP.run(redis, k.all(), Long.toString(stallCutoff), Long.toString(idleCutoff), Long.toString(nowMillis),
                        mayStop ? "1" : "0")
                .thenApply(r -> {
                    SweepKind kind = SweepKind.valueOf(String.valueOf(r.get(0)));
                    return switch (kind) {
                        case ACTIVE, IDLE -> new Sweep(kind, num(r, 1), false, -1, List.of(), null, -1, -1);
                        case STALLED -> new Sweep(kind, num(r, 1), num(r, 2) == 1, -1, List.of(), null, -1, -1);
                        case STOPPED -> new Sweep(kind, -1, true, num(r, 1), tail(r, 3), null, -1, -1);
                        case FAILED -> new Sweep(kind, -1, true, num(r, 1), tail(r, 2), null, -1, -1);
                        case NOT_OPEN -> new Sweep(kind, -1, false, -1, List.of(),
                                RecordingState.valueOf(String.valueOf(r.get(1))), optional(r, 2), optional(r, 3));
                        case UNKNOWN -> new Sweep(kind, -1, false, -1, List.of(), null, -1, -1);
                    };
                });
    }

    /** Sets when the janitor should look at the recording next; does nothing if it left the index. */
    public CompletableFuture<Void> reschedule(String recordingId, long dueMillis) {
        return redis.zadd(RecordingKeys.OPEN_INDEX, ZAddArgs.Builder.xx(), (double) dueMillis, recordingId)
                .toCompletableFuture().thenApply(x -> null);
    }

    /** Removes the recording from the index unless its entry changed since it was read as {@code seen}. */
    public CompletableFuture<Boolean> forget(Due seen) {
        return UNINDEX.run(redis, new String[] {RecordingKeys.OPEN_INDEX}, seen.recordingId(),
                Double.toString(seen.score())).thenApply(r -> num(r, 0) == 1);
    }

    public CompletableFuture<Long> size() {
        return redis.zcard(RecordingKeys.OPEN_INDEX).toCompletableFuture();
    }

    private static long num(List<Object> r, int i) {
        Object o = r.get(i);
        return o instanceof Long l ? l : Long.parseLong(String.valueOf(o));
    }

    private static long optional(List<Object> r, int i) {
        String v = String.valueOf(r.get(i));
        return v.isEmpty() ? -1 : Long.parseLong(v);
    }

    private static List<Long> tail(List<Object> r, int from) {
        List<Long> out = new ArrayList<>();
        for (int i = from; i < r.size(); i++) {
            out.add(num(r, i));
        }
        return out;
    }
}
