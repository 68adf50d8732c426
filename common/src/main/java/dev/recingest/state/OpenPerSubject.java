package dev.recingest.state;

import dev.recingest.protocol.RecordingId;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * How many recordings one token subject (the JWT {@code sub}) has open, bounded by a limit, so that a loop of
 * start and close cannot leave an unbounded number of open recordings (each a Redis record, a listing entry,
 * and later a janitor's auto-stop and its webhooks). Key: {@code recingest:subject-open:{<hash of sub>}}, a
 * sorted set of the recordings the subject opened. Ends are not tracked here (a recording ends on many
 * paths, and Redis may forget some): a full set is pruned of recordings that are no longer open first.
 */
public final class OpenPerSubject {

    private static final LuaScript ADMIT = LuaScript.load("admit");
    /** A subject that opens nothing for this long is forgotten; its recordings have long ended by then. */
    private static final Duration KEEP = Duration.ofDays(7);

    private final RedisClusterAsyncCommands<String, String> redis;
    private final Clock clock;

    public OpenPerSubject(RedisClusterAsyncCommands<String, String> redis, Clock clock) {
        this.redis = redis;
        this.clock = clock;
    }

    /**
     * Counts the new recording {@code id} for {@code subject} if it has fewer than {@code limit} open; false
     * when it has {@code limit} open recordings already.
     */
    public CompletableFuture<Boolean> admit(String subject, RecordingId id, int limit) {
        return admit(key(subject), id, limit, true);
    }

    private CompletableFuture<Boolean> admit(String key, RecordingId id, int limit, boolean mayPrune) {
        return ADMIT.run(redis, new String[] {key}, id.value(), Integer.toString(limit),
                Long.toString(clock.millis()), Long.toString(KEEP.toMillis())).thenCompose(r -> {
                    if (num(r.get(0)) == 1) {
                        return CompletableFuture.completedFuture(true);
                    }
                    if (!mayPrune) {
                        return CompletableFuture.completedFuture(false);
                    }
                    List<String> counted = new ArrayList<>();
                    for (int i = 1; i < r.size(); i++) {
                        counted.add(String.valueOf(r.get(i)));
                    }
                    return prune(key, counted).thenCompose(removed -> removed == 0
                            ? CompletableFuture.completedFuture(false) : admit(key, id, limit, false));
                });
    }

    /** Removes the counted recordings that are no longer open (or that Redis no longer knows). */
    private CompletableFuture<Long> prune(String key, List<String> counted) {
        List<CompletableFuture<String>> states = new ArrayList<>(counted.size());
        for (String member : counted) {
            states.add(RecordingId.PATTERN.matcher(member).matches()
                    ? redis.hget(new RecordingKeys(RecordingId.of(member)).meta, MetaFields.STATE).toCompletableFuture()
                    : CompletableFuture.completedFuture(null));
        }
        return CompletableFuture.allOf(states.toArray(CompletableFuture[]::new)).thenCompose(x -> {
            List<String> ended = new ArrayList<>();
            for (int i = 0; i < counted.size(); i++) {
                String state = states.get(i).join();
                if (state == null || !RecordingState.valueOf(state).open()) {
                    ended.add(counted.get(i));
                }
            }
            return ended.isEmpty() ? CompletableFuture.completedFuture(0L)
                    : redis.zrem(key, ended.toArray(String[]::new)).toCompletableFuture();
        });
    }

    static String key(String subject) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(subject.getBytes(StandardCharsets.UTF_8));
            return "recingest:subject-open:{" + HexFormat.of().formatHex(d, 0, 16) + "}";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long num(Object o) {
        return o instanceof Long l ? l : Long.parseLong(String.valueOf(o));
    }
}
