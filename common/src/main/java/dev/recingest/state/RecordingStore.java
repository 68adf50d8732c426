package dev.recingest.state;

import dev.recingest.protocol.Mode;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.Outcomes.AssignKind;
import dev.recingest.state.Outcomes.Assignment;
import dev.recingest.state.Outcomes.CommitKind;
import dev.recingest.state.Outcomes.Reclaim;
import dev.recingest.state.Outcomes.ReclaimKind;
import dev.recingest.state.Outcomes.StartKind;
import dev.recingest.state.Outcomes.StartOutcome;
import dev.recingest.state.Outcomes.StopKind;
import dev.recingest.state.Outcomes.StopOutcome;
import dev.recingest.state.Outcomes.Transition;
import dev.recingest.state.Outcomes.TransitionKind;
import io.lettuce.core.Range;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * The recording record in Redis. Every state change is one Lua script on the recording's own slot;
 * the methods return futures and never block, so the gateway can call them from an event loop.
 */
public final class RecordingStore {

    private static final LuaScript START = LuaScript.load("start");
    private static final LuaScript ASSIGN = LuaScript.load("assign");
    private static final LuaScript COMMIT = LuaScript.load("commit");
    private static final LuaScript VOID = LuaScript.load("void");
    private static final LuaScript ABORT = LuaScript.load("abort");
    private static final LuaScript STOP = LuaScript.load("stop");
    private static final LuaScript TRANSITION = LuaScript.load("transition");
    private static final LuaScript RECLAIM = LuaScript.load("reclaim");
    private static final LuaScript FENCED_TRANSITION = LuaScript.load("fenced_transition");
    private static final LuaScript BEGIN_ATTEMPT = LuaScript.load("begin_attempt");
    private static final LuaScript PART = LuaScript.load("part");
    /** Epochs are clock milliseconds times this, plus one per takeover (see {@link #freshEpoch}). */
    private static final long EPOCHS_PER_MILLI = 1000;

    /** Meta field: epoch ms when the merge job of the last stop was queued. */
    public static final String MERGE_QUEUED_AT = "mergeQueuedAt";
    /** Meta field: the final state whose webhook is in the outbox (so it is not announced again). */
    public static final String ANNOUNCED = "announced";

    private final RedisClusterAsyncCommands<String, String> redis;
    private final Clock clock;

    public RecordingStore(RedisClusterAsyncCommands<String, String> redis, Clock clock) {
        this.redis = redis;
        this.clock = clock;
    }

    private String now() {
        return Long.toString(clock.millis());
    }

    /**
     * An owner epoch that no connection holds yet, even if Redis lost the record it was counting in:
     * clock milliseconds times 1000, and above {@code atLeastAbove}. A takeover adds one; a thousand
     * takeovers of one recording within a millisecond would be needed to reach the next fresh epoch.
     */
    public long freshEpoch(long atLeastAbove) {
        return Math.max(clock.millis() * EPOCHS_PER_MILLI, atLeastAbove + 1);
    }

    /** Creates the recording, or takes it over with a new owner epoch if it is still open. */
    public CompletableFuture<StartOutcome> start(RecordingId id, String contentType, Mode mode, String metadataJson) {
        RecordingKeys k = new RecordingKeys(id);
        String now = now();
        return START.run(redis, new String[] {k.meta, k.next, k.stored, k.parts}, contentType, mode.wire(),
                metadataJson == null ? "" : metadataJson, now, Long.toString(freshEpoch(0))).thenCompose(r -> {
                    StartKind kind = StartKind.valueOf(str(r, 0));
                    String fourth = str(r, 3);
                    StartOutcome outcome = new StartOutcome(kind, num(r, 1), num(r, 2),
                            kind == StartKind.NOT_OPEN ? null : seqMode(fourth),
                            kind == StartKind.NOT_OPEN ? RecordingState.valueOf(fourth) : null, (int) num(r, 4));
                    if (kind == StartKind.NOT_OPEN) {
                        return CompletableFuture.completedFuture(outcome);
                    }
                    // Outside the script: the indices are global keys on other slots. A resume re-enters the
                    // janitor's index too, due at once, in case the entry was lost; the janitor reschedules it.
                    CompletableFuture<Long> open = redis.zadd(RecordingKeys.OPEN_INDEX, Double.parseDouble(now),
                            id.value()).toCompletableFuture()
                            // Due for a live worker at once (NX: a resume keeps the lease its rendition has).
                            .thenCompose(x -> redis.zadd(RecordingKeys.LIVE_INDEX, io.lettuce.core.ZAddArgs.Builder.nx(),
                                    Double.parseDouble(now), id.value()).toCompletableFuture());
                    if (kind != StartKind.CREATED) {
                        return open.thenApply(x -> outcome);
                    }
                    return open.thenCompose(x -> redis.zadd(RecordingKeys.RECORDINGS_INDEX, Double.parseDouble(now),
                            id.value()).toCompletableFuture()).thenApply(x -> outcome);
                });
    }

    /** Assigns (or looks up) the index of one chunk, checking that {@code epoch} still owns it. */
    public CompletableFuture<Assignment> assign(RecordingId id, long epoch, long seq, SeqMode mode) {
        RecordingKeys k = new RecordingKeys(id);
        return ASSIGN.run(redis, new String[] {k.meta, k.next, k.stored}, Long.toString(epoch), Long.toString(seq),
                mode.redisValue(), now()).thenApply(r -> {
                    AssignKind kind = AssignKind.valueOf(str(r, 0));
                    return switch (kind) {
                        case NEW -> new Assignment(kind, num(r, 1), -1, -1, null, 0);
                        case RESEND -> new Assignment(kind, num(r, 1), num(r, 2), -1, null, 0);
                        case GAP -> new Assignment(kind, -1, -1, num(r, 1), null, 0);
                        case NOT_OPEN -> new Assignment(kind, -1, -1, -1, RecordingState.valueOf(str(r, 1)), 0);
                        case TAKEN_OVER -> new Assignment(kind, -1, -1, -1, null, num(r, 1));
                        case MODE_MIX, UNKNOWN -> new Assignment(kind, -1, -1, -1, null, 0);
                    };
                });
    }

    /**
     * A new part for the owner {@code epoch} (PROTOCOL.md, "part"; part.lua): with {@code commit} false, what the
     * part would be, writing nothing (the caller records a NEW one in storage first); with {@code commit} true,
     * records the boundary at {@code firstSeq} starting {@code startedAtMillis}, if the counter is still there.
     */
    public CompletableFuture<Outcomes.PartOutcome> part(RecordingId id, long epoch, boolean commit, long firstSeq,
                                                        long startedAtMillis) {
        RecordingKeys k = new RecordingKeys(id);
        return PART.run(redis, k.all(), Long.toString(epoch), Long.toString(startedAtMillis), commit ? "commit" : "check",
                Long.toString(firstSeq)).thenApply(r -> {
                    Outcomes.PartKind kind = Outcomes.PartKind.valueOf(str(r, 0));
                    return switch (kind) {
                        case SAME, NEW -> new Outcomes.PartOutcome(kind, (int) num(r, 1), num(r, 2), num(r, 3), List.of(),
                                null, 0);
                        case INCOMPLETE -> new Outcomes.PartOutcome(kind, -1, num(r, 1), 0, tail(r, 2), null, 0);
                        case MOVED -> new Outcomes.PartOutcome(kind, -1, num(r, 1), 0, List.of(), null, 0);
                        case NOT_OPEN -> new Outcomes.PartOutcome(kind, -1, -1, 0, List.of(),
                                RecordingState.valueOf(str(r, 1)), 0);
                        case TAKEN_OVER -> new Outcomes.PartOutcome(kind, -1, -1, 0, List.of(), null, num(r, 1));
                        case UNKNOWN -> new Outcomes.PartOutcome(kind, -1, -1, 0, List.of(), null, 0);
                    };
                });
    }

    /** Records a durably stored chunk, unless its index is void. */
    public CompletableFuture<CommitKind> commit(RecordingId id, long index, long size) {
        RecordingKeys k = new RecordingKeys(id);
        return COMMIT.run(redis, new String[] {k.meta, k.stored, k.voids}, Long.toString(index), Long.toString(size),
                now()).thenApply(r -> switch ((int) num(r, 0)) {
                    case 1 -> CommitKind.RECORDED;
                    case 0 -> CommitKind.ALREADY;
                    default -> CommitKind.VOID;
                });
    }

    /** Marks an at-least-once index void; false if the chunk turned out to be stored after all. */
    public CompletableFuture<Boolean> markVoid(RecordingId id, long index) {
        RecordingKeys k = new RecordingKeys(id);
        return VOID.run(redis, new String[] {k.meta, k.stored, k.voids}, Long.toString(index)).thenApply(r -> num(r, 0) == 1);
    }

    /**
     * Takes the recording back for the connection that owns it with {@code epoch} after Redis lost its
     * record (re-created from the connection's own start) or lost the takeover that gave it
     * {@code epoch}. A newer owner wins. Run {@link #repair} afterwards: the counter may be gone too.
     *
     * @param seqMode null when the connection has not sent a chunk yet
     */
    public CompletableFuture<Reclaim> reclaim(RecordingId id, long epoch, String contentType, Mode mode,
                                              String metadataJson, SeqMode seqMode) {
        RecordingKeys k = new RecordingKeys(id);
        String now = now();
        return RECLAIM.run(redis, new String[] {k.meta, k.stored}, Long.toString(epoch),
                Long.toString(freshEpoch(epoch)), contentType, mode.wire(), metadataJson == null ? "" : metadataJson,
                seqMode == null ? "" : seqMode.redisValue(), now).thenCompose(r -> {
                    ReclaimKind kind = ReclaimKind.valueOf(str(r, 0));
                    Reclaim out = switch (kind) {
                        case RECLAIMED, TAKEN_OVER -> new Reclaim(kind, num(r, 1), null);
                        case NOT_OPEN -> new Reclaim(kind, 0, RecordingState.valueOf(str(r, 1)));
                    };
                    if (kind != ReclaimKind.RECLAIMED) {
                        return CompletableFuture.completedFuture(out);
                    }
                    // The indexes may have lost the id too; NX keeps a surviving creation time. The janitor
                    // must see the recording again, or a recorder that vanishes now would never be stopped.
                    return redis.zadd(RecordingKeys.RECORDINGS_INDEX, io.lettuce.core.ZAddArgs.Builder.nx(),
                                    Double.parseDouble(now), id.value()).toCompletableFuture()
                            .thenCompose(x -> redis.zadd(RecordingKeys.OPEN_INDEX, io.lettuce.core.ZAddArgs.Builder.nx(),
                                    Double.parseDouble(now), id.value()).toCompletableFuture())
                            .thenCompose(x -> redis.zadd(RecordingKeys.LIVE_INDEX, io.lettuce.core.ZAddArgs.Builder.nx(),
                                    Double.parseDouble(now), id.value()).toCompletableFuture())
                            .thenApply(x -> out);
                });
    }

    /**
     * Stops the recording if all indices are stored.
     *
     * @param epoch   the owner's epoch, or null for a server-side stop
     * @param lastSeq the client's lastSeq, or null
     */
    public CompletableFuture<StopOutcome> stop(RecordingId id, Long epoch, Long lastSeq) {
        RecordingKeys k = new RecordingKeys(id);
        return STOP.run(redis, k.all(), epoch == null ? "" : epoch.toString(),
                lastSeq == null ? "" : lastSeq.toString(), now()).thenApply(r -> {
                    StopKind kind = StopKind.valueOf(str(r, 0));
                    return switch (kind) {
                        case STOPPED -> new StopOutcome(kind, num(r, 1), num(r, 2), tail(r, 3), null, 0);
                        case INCOMPLETE -> new StopOutcome(kind, num(r, 1), -1, tail(r, 2), null, 0);
                        case AHEAD, BEHIND -> new StopOutcome(kind, num(r, 1), -1, List.of(), null, 0);
                        case NOT_OPEN -> new StopOutcome(kind, -1, -1, List.of(), RecordingState.valueOf(str(r, 1)), 0);
                        case TAKEN_OVER -> new StopOutcome(kind, -1, -1, List.of(), null, num(r, 1));
                        case UNKNOWN -> new StopOutcome(kind, -1, -1, List.of(), null, 0);
                    };
                });
    }

    /**
     * Aborts the recording (from RECORDING, STALLED or STOPPED), checking that {@code epoch} still owns it; a
     * repeated abort by the same owner answers ABORTED again.
     *
     * @param epoch the owner's epoch, or null for a server-side abort
     */
    public CompletableFuture<Outcomes.AbortOutcome> abort(RecordingId id, Long epoch) {
        RecordingKeys k = new RecordingKeys(id);
        return ABORT.run(redis, new String[] {k.meta}, epoch == null ? "" : epoch.toString(), now()).thenApply(r -> {
            Outcomes.AbortKind kind = Outcomes.AbortKind.valueOf(str(r, 0));
            return switch (kind) {
                case ABORTED, UNKNOWN -> new Outcomes.AbortOutcome(kind, null, 0);
                case NOT_OPEN -> new Outcomes.AbortOutcome(kind, RecordingState.valueOf(str(r, 1)), 0);
                case TAKEN_OVER -> new Outcomes.AbortOutcome(kind, null, num(r, 1));
            };
        });
    }

    /**
     * Moves the recording to {@code to} if it is in one of {@code from}, setting {@code fields} (hash
     * fields of the meta record, such as outputKey or errorMessage) in the same step.
     */
    public CompletableFuture<Transition> transition(RecordingId id, Collection<RecordingState> from, RecordingState to,
                                                    Map<String, String> fields) {
        return runTransition(TRANSITION, id, from, to, List.of(), fields);
    }

    /** Runs transition.lua or fenced_transition.lua: their arguments differ only by the fence. */
    private CompletableFuture<Transition> runTransition(LuaScript script, RecordingId id, Collection<RecordingState> from,
                                                        RecordingState to, List<String> fence, Map<String, String> fields) {
        List<String> args = new ArrayList<>();
        args.add(String.join(",", from.stream().map(Enum::name).toList()));
        args.add(to.name());
        args.add(now());
        args.addAll(fence);
        fields.forEach((f, v) -> {
            args.add(f);
            args.add(v);
        });
        return script.run(redis, new String[] {new RecordingKeys(id).meta}, args.toArray(String[]::new)).thenApply(r -> {
            TransitionKind kind = TransitionKind.valueOf(str(r, 0));
            return new Transition(kind, kind == TransitionKind.UNKNOWN ? null : RecordingState.valueOf(str(r, 1)));
        });
    }

    /**
     * Queues a merge job; called on stop, by the janitor and by the admin API's re-merge. Then marks the
     * recording {@code mergeQueuedAt}: a STOPPED recording without it had its job lost between the stop
     * and the queue (a gateway that died there), and the janitor queues it again. (Only a recording still
     * STOPPED is marked: one a merger already took needs no mark, and a missing record is not created.)
     */
    public CompletableFuture<Void> queueMerge(RecordingId id) {
        return redis.xadd(RecordingKeys.MERGE_JOBS, Map.of(MergeQueue.FIELD, id.value())).toCompletableFuture()
                .thenCompose(x -> transition(id, List.of(RecordingState.STOPPED), RecordingState.STOPPED,
                        Map.of(MERGE_QUEUED_AT, now())))
                .thenApply(x -> null);
    }

    /**
     * Like {@link #transition}, but only while the meta field {@code fenceField} still holds {@code expected}
     * (FENCED otherwise): the steps of one merge attempt are fenced on {@link #MERGE_ATTEMPT_ID}, so an attempt
     * that another one superseded cannot move the recording.
     */
    public CompletableFuture<Transition> transitionIf(RecordingId id, Collection<RecordingState> from, RecordingState to,
                                                      String fenceField, String expected, Map<String, String> fields) {
        return runTransition(FENCED_TRANSITION, id, from, to, List.of(fenceField, expected), fields);
    }

    /** Meta field: the id of the latest merge attempt ("{number}-{random}"), set by {@link #beginMergeAttempt}. */
    public static final String MERGE_ATTEMPT_ID = "mergeAttemptId";

    /** A merge attempt: its number (counted in {@code mergeAttempts}) and its id, unique across re-merges. */
    public record MergeAttempt(long number, String id) {
    }

    /**
     * Counts a new merge attempt and names it in one step ({@code mergeAttempts}, {@link #MERGE_ATTEMPT_ID});
     * the name is what that attempt's later steps are fenced on ({@link #transitionIf}).
     */
    public CompletableFuture<MergeAttempt> beginMergeAttempt(RecordingId id) {
        String token = java.util.UUID.randomUUID().toString();
        return BEGIN_ATTEMPT.run(redis, new String[] {new RecordingKeys(id).meta}, token)
                .thenApply(r -> new MergeAttempt(num(r, 0), str(r, 1)));
    }

    /** Increments a numeric field of the meta record (for example mergeAttempts) and returns it. */
    public CompletableFuture<Long> increment(RecordingId id, String field) {
        return redis.hincrby(new RecordingKeys(id).meta, field, 1).toCompletableFuture();
    }

    public CompletableFuture<Optional<Recording>> get(RecordingId id) {
        RecordingKeys k = new RecordingKeys(id);
        CompletableFuture<Map<String, String>> meta = redis.hgetall(k.meta).toCompletableFuture();
        CompletableFuture<String> counter = redis.get(k.next).toCompletableFuture();
        CompletableFuture<Map<Long, Long>> boundaries = partBoundaries(id);
        return meta.thenCombine(counter, (h, c) -> Map.entry(h == null ? Map.<String, String>of() : h, c == null ? "0" : c))
                .thenCombine(boundaries, (hc, b) -> hc.getKey().containsKey("state")
                        ? Optional.of(Recording.fromHash(id, hc.getKey(), Long.parseLong(hc.getValue()), b))
                        : Optional.<Recording>empty());
    }

    /** The part boundaries after part 0 (first seq to start time, epoch ms); see {@link PartStart}. */
    public CompletableFuture<Map<Long, Long>> partBoundaries(RecordingId id) {
        return redis.hgetall(new RecordingKeys(id).parts).toCompletableFuture().thenApply(h -> {
            SortedMap<Long, Long> out = new TreeMap<>();
            h.forEach((first, at) -> out.put(Long.parseLong(first), Long.parseLong(at)));
            return out;
        });
    }

    /**
     * Every field of the meta record as stored, for readers that need one {@link Recording} does not
     * carry (for example {@code stoppedAt}); empty when the recording is unknown.
     */
    public CompletableFuture<Map<String, String>> fields(RecordingId id) {
        return redis.hgetall(new RecordingKeys(id).meta).toCompletableFuture();
    }

    /**
     * Sets fields of the meta record without a state change and without touching {@code updatedAt}
     * (bookkeeping such as which outcome has been announced).
     */
    public CompletableFuture<Void> setFields(RecordingId id, Map<String, String> fields) {
        return redis.hset(new RecordingKeys(id).meta, fields).toCompletableFuture().thenApply(n -> null);
    }

    /** Removes fields of the meta record (for example a previous error before a re-merge). */
    public CompletableFuture<Void> clearFields(RecordingId id, String... fields) {
        return redis.hdel(new RecordingKeys(id).meta, fields).toCompletableFuture().thenApply(n -> null);
    }

    /** Index to size of every chunk Redis records as stored. */
    public CompletableFuture<SortedMap<Long, Long>> storedChunks(RecordingId id) {
        return redis.hgetall(new RecordingKeys(id).stored).toCompletableFuture().thenApply(h -> {
            SortedMap<Long, Long> out = new TreeMap<>();
            h.forEach((i, s) -> out.put(Long.parseLong(i), Long.parseLong(s)));
            return out;
        });
    }

    public CompletableFuture<List<Long>> voidIndices(RecordingId id) {
        return redis.smembers(new RecordingKeys(id).voids).toCompletableFuture()
                .thenApply(s -> s.stream().map(Long::parseLong).sorted().toList());
    }

    /** Ids in creation order, from {@code offset}, at most {@code limit}. */
    public CompletableFuture<List<String>> listIds(long offset, long limit) {
        return redis.zrange(RecordingKeys.RECORDINGS_INDEX, offset, offset + limit - 1).toCompletableFuture();
    }

    /** Ids created at or before {@code cutoffMillis}, oldest first, at most {@code limit}. */
    public CompletableFuture<List<String>> idsCreatedBefore(long cutoffMillis, long limit) {
        return redis.zrangebyscore(RecordingKeys.RECORDINGS_INDEX, Range.create(0, cutoffMillis),
                io.lettuce.core.Limit.create(0, limit)).toCompletableFuture();
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

    /** The Redis side of repairs from storage, on the same Redis connection. */
    public RecordingRepairs repairs() {
        return new RecordingRepairs(redis, clock);
    }

    /** The count of open recordings per token subject, on the same Redis connection. */
    public OpenPerSubject openPerSubject() {
        return new OpenPerSubject(redis, clock);
    }

    /** The live renditions' index, leases and status, on the same Redis connection. */
    public LiveIndex liveIndex() {
        return new LiveIndex(redis, clock);
    }

    /** The janitor's index and sweep script, on the same Redis connection. */
    public OpenRecordings openRecordings() {
        return new OpenRecordings(redis);
    }

    /** A janitor lock holder with its own token, on the same Redis connection. */
    public JanitorLock janitorLock(Duration ttl) {
        return new JanitorLock(redis, ttl);
    }

    /** Completes normally when Redis answers (for readiness checks). */
    public CompletableFuture<Void> ping() {
        return redis.ping().toCompletableFuture().thenApply(pong -> null);
    }

    private static SeqMode seqMode(String value) {
        return switch (value) {
            case "explicit" -> SeqMode.EXPLICIT;
            case "auto" -> SeqMode.AUTO;
            default -> null;
        };
    }

    private static String str(List<Object> r, int i) {
        return String.valueOf(r.get(i));
    }

    private static long num(List<Object> r, int i) {
        Object o = r.get(i);
        return o instanceof Long l ? l : Long.parseLong(String.valueOf(o));
    }

    private static List<Long> tail(List<Object> r, int from) {
        List<Long> out = new ArrayList<>();
        for (int i = from; i < r.size(); i++) {
            out.add(num(r, i));
        }
        return out;
    }
}
