package dev.recingest.state;

import dev.recingest.protocol.RecordingId;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.models.stream.PendingMessages;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * What waits, read from Redis for dashboards and alerts: the recordings not yet ended, by state, and the
 * merge queue. Read-only.
 *
 * <p>No counter of recordings per state is kept (it would be a global key touched by every per-recording
 * script, which must stay on one slot for Redis Cluster), so this takes a census: the recordings in the
 * janitor's index ({@code recingest:open}: RECORDING, STALLED, STOPPED until its merge is queued) and
 * those with a merge job in the stream (STOPPED waiting, MERGING), each read with one HGET. That is one
 * command per unfinished recording per census, about what the janitor already spends on them; it is
 * capped at {@code maxRecordings}, past which the counts are marked {@code truncated}.
 *
 * <p>Merge jobs are deleted from the stream when acked, so its length is the jobs waiting plus those a
 * worker holds; the pending count (XPENDING) is the latter. The oldest job's age comes from its entry id
 * (milliseconds of Redis's clock when it was added) against Redis's TIME, so clock skew between hosts
 * does not enter; a job retried after a failure keeps its id, so its age keeps growing.
 */
public final class Backlog {

    /** The states a recording is in before it ends, in lifecycle order. */
    public static final List<RecordingState> UNFINISHED = List.of(RecordingState.RECORDING, RecordingState.STALLED,
            RecordingState.STOPPED, RecordingState.MERGING);

    private final RedisClusterAsyncCommands<String, String> redis;
    private final int maxRecordings;

    public Backlog(RedisClusterAsyncCommands<String, String> redis, int maxRecordings) {
        if (maxRecordings < 1) {
            throw new IllegalArgumentException("maxRecordings must be at least 1");
        }
        this.redis = redis;
        this.maxRecordings = maxRecordings;
    }

    /**
     * One census.
     *
     * @param unfinished       recordings by state, every state of {@link #UNFINISHED} present (0 when none)
     * @param truncated        more than {@code maxRecordings} were candidates: the counts are a lower bound
     * @param queuedJobs       merge jobs in the stream (waiting or held by a worker)
     * @param heldJobs         merge jobs a worker took and has not acked (the group's pending entries)
     * @param oldestJobSeconds age of the oldest job in the stream, 0 when it is empty
     */
    public record Snapshot(Map<RecordingState, Long> unfinished, boolean truncated, long queuedJobs, long heldJobs,
                           double oldestJobSeconds) {
    }

    public CompletableFuture<Snapshot> read() {
        CompletableFuture<List<String>> open = redis.zrange(RecordingKeys.OPEN_INDEX, 0, maxRecordings - 1L)
                .toCompletableFuture();
        CompletableFuture<List<StreamMessage<String, String>>> jobs = redis.xrange(RecordingKeys.MERGE_JOBS,
                Range.unbounded(), Limit.from(maxRecordings)).toCompletableFuture();
        CompletableFuture<Long> length = redis.xlen(RecordingKeys.MERGE_JOBS).toCompletableFuture();
        CompletableFuture<Long> held = redis.xpending(RecordingKeys.MERGE_JOBS, MergeQueue.GROUP).toCompletableFuture()
                .thenApply(PendingMessages::getCount)
                // NOGROUP: no merger has created the group yet, so no worker holds anything.
                .exceptionally(e -> 0L);
        CompletableFuture<List<String>> time = redis.time().toCompletableFuture();
        return CompletableFuture.allOf(open, jobs, length, held, time).thenCompose(x -> {
            Set<String> ids = new LinkedHashSet<>(open.join());
            for (StreamMessage<String, String> m : jobs.join()) {
                String id = m.getBody().get(MergeQueue.FIELD);
                if (id != null) {
                    ids.add(id);
                }
            }
            boolean truncated = open.join().size() >= maxRecordings || jobs.join().size() >= maxRecordings;
            double oldest = jobs.join().isEmpty() ? 0 : ageSeconds(jobs.join().get(0).getId(), time.join());
            return countStates(ids).thenApply(counts -> new Snapshot(counts, truncated, length.join(), held.join(),
                    oldest));
        });
    }

    private CompletableFuture<Map<RecordingState, Long>> countStates(Set<String> ids) {
        List<CompletableFuture<String>> states = new ArrayList<>(ids.size());
        for (String id : ids) {
            if (RecordingId.PATTERN.matcher(id).matches()) { // anything else never became a key
                states.add(redis.hget(new RecordingKeys(RecordingId.of(id)).meta(), MetaFields.STATE).toCompletableFuture());
            }
        }
        return CompletableFuture.allOf(states.toArray(CompletableFuture[]::new)).thenApply(x -> {
            Map<RecordingState, Long> counts = new EnumMap<>(RecordingState.class);
            UNFINISHED.forEach(s -> counts.put(s, 0L));
            for (CompletableFuture<String> f : states) {
                String state = f.join();
                if (state != null) {
                    counts.computeIfPresent(RecordingState.valueOf(state), (s, n) -> n + 1);
                }
            }
            return counts;
        });
    }

    /** Seconds between a stream entry id ({@code <ms>-<seq>}) and Redis's TIME ({@code [seconds, micros]}). */
    static double ageSeconds(String entryId, List<String> time) {
        long addedMillis = Long.parseLong(entryId.substring(0, entryId.indexOf('-')));
        double nowMillis = Long.parseLong(time.get(0)) * 1000.0 + Long.parseLong(time.get(1)) / 1000.0;
        return Math.max(0, (nowMillis - addedMillis) / 1000.0);
    }
}
