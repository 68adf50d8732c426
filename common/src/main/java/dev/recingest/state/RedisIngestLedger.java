package dev.recingest.state;

import static dev.recingest.state.ScriptReplies.num;
import static dev.recingest.state.ScriptReplies.seqMode;
import static dev.recingest.state.ScriptReplies.str;
import static dev.recingest.state.ScriptReplies.tail;

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
import io.lettuce.core.ZAddArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * {@link IngestLedger} on Redis: each method is one Lua script on the recording's own slot (start.lua,
 * assign.lua, ...; see package-info for the keys), plus, where a recording enters or re-enters them, the
 * global indexes on other slots (which a script cannot touch in a Redis Cluster).
 */
final class RedisIngestLedger implements IngestLedger {

    private static final LuaScript START = LuaScript.load("start");
    private static final LuaScript ASSIGN = LuaScript.load("assign");
    private static final LuaScript COMMIT = LuaScript.load("commit");
    private static final LuaScript VOID = LuaScript.load("void");
    private static final LuaScript ABORT = LuaScript.load("abort");
    private static final LuaScript STOP = LuaScript.load("stop");
    private static final LuaScript RECLAIM = LuaScript.load("reclaim");
    private static final LuaScript PART = LuaScript.load("part");
    /** Epochs are clock milliseconds times this, plus one per takeover (see {@link #freshEpoch}). */
    private static final long EPOCHS_PER_MILLI = 1000;

    private final RedisClusterAsyncCommands<String, String> redis;
    private final Clock clock;

    RedisIngestLedger(RedisClusterAsyncCommands<String, String> redis, Clock clock) {
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
    private long freshEpoch(long atLeastAbove) {
        return Math.max(clock.millis() * EPOCHS_PER_MILLI, atLeastAbove + 1);
    }

    @Override
    public CompletableFuture<StartOutcome> start(RecordingId id, String contentType, Mode mode, String metadataJson,
                                                 String proof) {
        RecordingKeys k = new RecordingKeys(id);
        String now = now();
        return START.run(redis, new String[] {k.meta, k.next, k.stored, k.parts}, contentType, mode.wire(),
                metadataJson == null ? "" : metadataJson, now, Long.toString(freshEpoch(0)), proof == null ? "" : proof)
                .thenCompose(r -> {
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
                    // Both at once (one round trip, not two: a resume waits for them, and after a gateway died
                    // its clients all resume at the same moment).
                    CompletableFuture<Long> janitor = redis.zadd(RecordingKeys.OPEN_INDEX, Double.parseDouble(now),
                            id.value()).toCompletableFuture();
                    // Due for a live worker at once (NX: a resume keeps the lease its rendition has).
                    CompletableFuture<Long> live = redis.zadd(RecordingKeys.LIVE_INDEX, ZAddArgs.Builder.nx(),
                            Double.parseDouble(now), id.value()).toCompletableFuture();
                    CompletableFuture<Long> open = janitor.thenCombine(live, (a, b) -> b);
                    if (kind != StartKind.CREATED) {
                        return open.thenApply(x -> outcome);
                    }
                    return open.thenCompose(x -> redis.zadd(RecordingKeys.RECORDINGS_INDEX, Double.parseDouble(now),
                            id.value()).toCompletableFuture()).thenApply(x -> outcome);
                });
    }

    @Override
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

    @Override
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

    @Override
    public CompletableFuture<CommitKind> commit(RecordingId id, long index, long size) {
        RecordingKeys k = new RecordingKeys(id);
        return COMMIT.run(redis, new String[] {k.meta, k.stored, k.voids}, Long.toString(index), Long.toString(size),
                now()).thenApply(r -> switch ((int) num(r, 0)) {
                    case 1 -> CommitKind.RECORDED;
                    case 0 -> CommitKind.ALREADY;
                    default -> CommitKind.VOID;
                });
    }

    @Override
    public CompletableFuture<Boolean> markVoid(RecordingId id, long index) {
        RecordingKeys k = new RecordingKeys(id);
        return VOID.run(redis, new String[] {k.meta, k.stored, k.voids}, Long.toString(index)).thenApply(r -> num(r, 0) == 1);
    }

    @Override
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
                    return redis.zadd(RecordingKeys.RECORDINGS_INDEX, ZAddArgs.Builder.nx(),
                                    Double.parseDouble(now), id.value()).toCompletableFuture()
                            .thenCompose(x -> redis.zadd(RecordingKeys.OPEN_INDEX, ZAddArgs.Builder.nx(),
                                    Double.parseDouble(now), id.value()).toCompletableFuture())
                            .thenCompose(x -> redis.zadd(RecordingKeys.LIVE_INDEX, ZAddArgs.Builder.nx(),
                                    Double.parseDouble(now), id.value()).toCompletableFuture())
                            .thenApply(x -> out);
                });
    }

    @Override
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

    @Override
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
}
