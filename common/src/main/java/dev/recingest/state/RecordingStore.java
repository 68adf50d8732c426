package dev.recingest.state;

import static dev.recingest.state.ScriptReplies.num;
import static dev.recingest.state.ScriptReplies.str;

import dev.recingest.protocol.RecordingId;
import dev.recingest.state.Outcomes.Transition;
import dev.recingest.state.Outcomes.TransitionKind;
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
 * The recording records in Redis: reading them ({@link RecordReader}: the admin API, the merger, the janitor),
 * state transitions after the stop (the merge, fenced on its attempt) and bookkeeping fields; and the way to the
 * rest: the ingest connection's scripts ({@link #ledger()}), the merge jobs ({@link #mergeQueue()}), retention
 * ({@link #retention()}) and the smaller indexes below. Field names are {@link MetaFields}. Every state change is one Lua script on the
 * recording's own slot; the methods return futures and never block, so the gateway can call them from an
 * event loop.
 */
public final class RecordingStore implements RecordReader {

    private static final LuaScript TRANSITION = LuaScript.load("transition");
    private static final LuaScript FENCED_TRANSITION = LuaScript.load("fenced_transition");
    private static final LuaScript BEGIN_ATTEMPT = LuaScript.load("begin_attempt");

    private final RedisClusterAsyncCommands<String, String> redis;
    private final Clock clock;
    private final IngestLedger ledger;

    public RecordingStore(RedisClusterAsyncCommands<String, String> redis, Clock clock) {
        this.redis = redis;
        this.clock = clock;
        this.ledger = new RedisIngestLedger(redis, clock);
    }

    private String now() {
        return Long.toString(clock.millis());
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

    /** The merge queue's producing side, on the same Redis connection (see {@link MergeQueue#enqueue}). */
    public MergeQueue mergeQueue() {
        return new MergeQueue(redis, this, clock);
    }

    /**
     * Like {@link #transition}, but only while the meta field {@code fenceField} still holds {@code expected}
     * (FENCED otherwise): the steps of one merge attempt are fenced on {@link MetaFields#MERGE_ATTEMPT_ID}, so an attempt
     * that another one superseded cannot move the recording.
     */
    public CompletableFuture<Transition> transitionIf(RecordingId id, Collection<RecordingState> from, RecordingState to,
                                                      String fenceField, String expected, Map<String, String> fields) {
        return runTransition(FENCED_TRANSITION, id, from, to, List.of(fenceField, expected), fields);
    }

    /** A merge attempt: its number (counted in {@code mergeAttempts}) and its id, unique across re-merges. */
    public record MergeAttempt(long number, String id) {
    }

    /**
     * Counts a new merge attempt and names it in one step ({@link MetaFields#MERGE_ATTEMPTS}, {@link MetaFields#MERGE_ATTEMPT_ID});
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

    @Override
    public CompletableFuture<Optional<Recording>> get(RecordingId id) {
        RecordingKeys k = new RecordingKeys(id);
        CompletableFuture<Map<String, String>> meta = redis.hgetall(k.meta).toCompletableFuture();
        CompletableFuture<String> counter = redis.get(k.next).toCompletableFuture();
        CompletableFuture<Map<Long, Long>> boundaries = partBoundaries(id);
        return meta.thenCombine(counter, (h, c) -> Map.entry(h == null ? Map.<String, String>of() : h, c == null ? "0" : c))
                .thenCombine(boundaries, (hc, b) -> hc.getKey().containsKey(MetaFields.STATE)
                        ? Optional.of(Recording.fromHash(id, hc.getKey(), Long.parseLong(hc.getValue()), b))
                        : Optional.<Recording>empty());
    }

    @Override
    public CompletableFuture<Map<Long, Long>> partBoundaries(RecordingId id) {
        return redis.hgetall(new RecordingKeys(id).parts).toCompletableFuture().thenApply(RecordingStore::numbers);
    }

    @Override
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

    @Override
    public CompletableFuture<SortedMap<Long, Long>> storedChunks(RecordingId id) {
        return redis.hgetall(new RecordingKeys(id).stored).toCompletableFuture().thenApply(RecordingStore::numbers);
    }

    @Override
    public CompletableFuture<List<Long>> voidIndices(RecordingId id) {
        return redis.smembers(new RecordingKeys(id).voids).toCompletableFuture()
                .thenApply(s -> s.stream().map(Long::parseLong).sorted().toList());
    }

    @Override
    public CompletableFuture<List<String>> listIds(long offset, long limit) {
        return redis.zrange(RecordingKeys.RECORDINGS_INDEX, offset, offset + limit - 1).toCompletableFuture();
    }

    /** Retention of the records (expire, tombstone, delete), on the same Redis connection. */
    public RecordRetention retention() {
        return new RecordRetention(redis);
    }

    /** The gateway's ingest scripts (start, assign, commit, part, stop, abort, reclaim), on the same Redis connection. */
    public IngestLedger ledger() {
        return ledger;
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

    /** A hash of numbers to numbers (part boundaries, stored chunks), sorted by key. */
    private static SortedMap<Long, Long> numbers(Map<String, String> hash) {
        SortedMap<Long, Long> out = new TreeMap<>();
        hash.forEach((k, v) -> out.put(Long.parseLong(k), Long.parseLong(v)));
        return out;
    }
}
