package dev.recingest.state;

import dev.recingest.protocol.RecordingId;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.CompletableFuture;

/**
 * The Redis side of making Redis agree with storage ({@code dev.recingest.durable.Reconciler} drives it):
 * where a listing of the recording's objects must start, recording the chunks it found, and settling the
 * record into an end that storage records. Each is one script on the recording's own slot.
 */
public final class RecordingRepairs {

    private static final LuaScript POINT = LuaScript.load("point");
    private static final LuaScript REPAIR = LuaScript.load("repair");
    private static final LuaScript SETTLE = LuaScript.load("settle");
    private static final LuaScript RESTORE_PARTS = LuaScript.load("restore_parts");

    private final RedisClusterAsyncCommands<String, String> redis;
    private final Clock clock;

    RecordingRepairs(RedisClusterAsyncCommands<String, String> redis, Clock clock) {
        this.redis = redis;
        this.clock = clock;
    }

    /**
     * Where a repair starts.
     *
     * @param state    the recording's state, or null when Redis has no record of it
     * @param filledTo every index below it is recorded as stored or void, so storage holds nothing there
     *                 that Redis lacks: a listing may start at it
     * @param counter  the index counter N
     * @param parts    how many part boundaries (after part 0) Redis records
     * @param proof    this Redis's run_id and replication id: a restart or a promotion changes it
     * @param proven   the recording was last found to agree with storage under this same proof, so Redis has
     *                 lost nothing of it since ({@link MetaFields#AGREED_ON}), and its record of stored indices is
     *                 whole
     */
    public record RepairPoint(RecordingState state, long filledTo, long counter, long parts, String proof,
                              boolean proven) {
    }

    public CompletableFuture<RepairPoint> point(RecordingId id) {
        RecordingKeys k = new RecordingKeys(id);
        return POINT.run(redis, k.all()).thenApply(r -> {
            String state = String.valueOf(r.get(0));
            return new RepairPoint(state.isEmpty() ? null : RecordingState.valueOf(state), num(r.get(1)), num(r.get(2)),
                    num(r.get(3)), String.valueOf(r.get(4)), num(r.get(5)) == 1);
        });
    }

    /**
     * Storage is about to get an object that Redis records only afterwards (a part boundary's mark): until a
     * listing has seen it, the recording no longer agrees with storage as far as Redis can prove, and the next
     * resume lists ({@link MetaFields#AGREED_ON} removed).
     */
    public CompletableFuture<Void> unproven(RecordingId id) {
        return redis.hdel(new RecordingKeys(id).meta, MetaFields.AGREED_ON).toCompletableFuture().thenApply(x -> null);
    }

    /**
     * Records the part boundaries storage holds (first seq to start time, epoch ms) that Redis lacks; never
     * removes one or changes a start time. Returns how many were added. The counter is the caller's to move
     * past them ({@link #repair} with a floor): a boundary at seq s means indices below s were handed out.
     */
    public CompletableFuture<Long> restoreParts(RecordingId id, Map<Long, Long> boundaries) {
        List<String> args = new ArrayList<>(boundaries.size() * 2);
        boundaries.forEach((first, at) -> {
            args.add(Long.toString(first));
            args.add(Long.toString(at));
        });
        return RESTORE_PARTS.run(redis, new String[] {new RecordingKeys(id).parts}, args.toArray(String[]::new))
                .thenApply(r -> num(r.get(0)));
    }

    /**
     * Records the listed chunk objects (index to size) that Redis lacks and moves the counter past them and to
     * at least {@code floor} (indices a connection knows were handed out, stored yet or not); nothing moves
     * backwards. Returns the counter afterwards.
     *
     * @param listedFrom the index the listing started at (0: the whole recording, whose byte total is then
     *                   recounted)
     */
    public CompletableFuture<Long> repair(RecordingId id, SortedMap<Long, Long> storedObjects, long listedFrom,
                                          long floor) {
        RecordingKeys k = new RecordingKeys(id);
        List<String> args = new ArrayList<>(2 + storedObjects.size() * 2);
        args.add(Long.toString(Math.max(floor, 0)));
        args.add(Long.toString(Math.max(listedFrom, 0)));
        storedObjects.forEach((index, size) -> {
            args.add(Long.toString(index));
            args.add(Long.toString(size));
        });
        return REPAIR.run(redis, k.all(), args.toArray(String[]::new)).thenApply(r -> num(r.get(0)));
    }

    public enum SettleKind {
        /** The record moved to the end storage records. */
        SETTLED,
        /** Redis is as far along as storage, or further: nothing changed. */
        KEPT,
        /** Redis has no record, and the end needs none (only a stop is re-created, as its merge is owed). */
        ABSENT
    }

    /** @param state SETTLED: the state before (null: none); KEPT: the state Redis holds; ABSENT: null */
    public record Settled(SettleKind kind, RecordingState state) {
    }

    /**
     * Moves the record to {@code to} unless it is as far along already ({@link RecordingState#progress}),
     * adding {@code voids} to its void indices and setting {@code fields} (the end as storage records it).
     */
    public CompletableFuture<Settled> settle(RecordingId id, RecordingState to, List<Long> voids,
                                             Map<String, String> fields) {
        RecordingKeys k = new RecordingKeys(id);
        List<String> args = new ArrayList<>();
        args.add(to.name());
        args.add(Long.toString(clock.millis()));
        args.add(Integer.toString(voids.size()));
        voids.forEach(v -> args.add(Long.toString(v)));
        fields.forEach((f, v) -> {
            args.add(f);
            args.add(v);
        });
        return SETTLE.run(redis, new String[] {k.meta, k.voids}, args.toArray(String[]::new)).thenApply(r -> {
            SettleKind kind = SettleKind.valueOf(String.valueOf(r.get(0)));
            String state = r.size() > 1 ? String.valueOf(r.get(1)) : "";
            return new Settled(kind, state.isEmpty() ? null : RecordingState.valueOf(state));
        });
    }

    private static long num(Object o) {
        return o instanceof Long l ? l : Long.parseLong(String.valueOf(o));
    }
}
