package dev.recingest.state;

import dev.recingest.protocol.RecordingId;
import io.lettuce.core.Consumer;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisBusyException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAutoClaimArgs;
import io.lettuce.core.XClaimArgs;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.models.stream.PendingMessage;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The merge job queue, both sides of it: a Redis Stream ({@link RecordingKeys#MERGE_JOBS}) whose entries carry
 * one field, {@code recordingId}. Producers ({@link #enqueue}: a stop, the janitor, a re-merge) add a job on the
 * store's non-blocking connection ({@link RecordingStore#mergeQueue()}); mergers read it through the consumer
 * group {@code mergers} on a blocking connection of their own ({@link #MergeQueue(RedisClusterCommands)}). A job
 * stays pending until acked; a worker that dies leaves it pending, and after the visibility timeout another
 * worker claims it with XAUTOCLAIM.
 */
public final class MergeQueue {

    public static final String GROUP = "mergers";
    private static final String IDLE_CONSUMERS = LuaScript.source("idle_consumers");
    static final String FIELD = "recordingId";

    /** The consumer's blocking connection; null on the producing side. */
    private final RedisClusterCommands<String, String> redis;
    /** The producer's non-blocking connection and the records it marks; null on the consuming side. */
    private final RedisClusterAsyncCommands<String, String> async;
    private final RecordingStore records;
    private final Clock clock;

    /** The consuming side (a merger): the blocking reads need a connection of their own. */
    public MergeQueue(RedisClusterCommands<String, String> redis) {
        this.redis = redis;
        this.async = null;
        this.records = null;
        this.clock = null;
    }

    /** The producing side, on the store's connection. */
    MergeQueue(RedisClusterAsyncCommands<String, String> async, RecordingStore records, Clock clock) {
        this.redis = null;
        this.async = async;
        this.records = records;
        this.clock = clock;
    }

    /**
     * Queues a merge job; called on stop, by the janitor and by the admin API's re-merge. Then marks the
     * recording {@link MetaFields#MERGE_QUEUED_AT}: a STOPPED recording without it had its job lost between the
     * stop and the queue (a gateway that died there), and the janitor queues it again. (Only a recording still
     * STOPPED is marked: one a merger already took needs no mark, and a missing record is not created.)
     */
    public CompletableFuture<Void> enqueue(RecordingId id) {
        if (async == null) {
            throw new IllegalStateException("a consuming MergeQueue does not produce: use RecordingStore.mergeQueue()");
        }
        return async.xadd(RecordingKeys.MERGE_JOBS, Map.of(FIELD, id.value())).toCompletableFuture()
                .thenCompose(x -> records.transition(id, List.of(RecordingState.STOPPED), RecordingState.STOPPED,
                        Map.of(MetaFields.MERGE_QUEUED_AT, Long.toString(clock.millis()))))
                .thenApply(x -> null);
    }

    /** A job taken from the queue: the stream message id (needed to ack) and the recording. */
    public record Job(String messageId, RecordingId recordingId, long deliveries) {
    }

    /**
     * A queue entry that names no valid recording (no {@code recordingId} field, or one that is not an id):
     * nothing can ever merge it, so the caller {@link #discard}s it rather than leaving it pending forever.
     */
    public static final class UnreadableJob extends RuntimeException {
        private final String messageId;

        UnreadableJob(String messageId, String reason) {
            super("merge job " + messageId + " is unreadable: " + reason);
            this.messageId = messageId;
        }

        public String messageId() {
            return messageId;
        }
    }

    public void ensureGroup() {
        try {
            redis.xgroupCreate(XReadArgs.StreamOffset.from(RecordingKeys.MERGE_JOBS, "0"), GROUP,
                    XGroupCreateArgs.Builder.mkstream());
        } catch (RedisBusyException e) {
            // BUSYGROUP: the group exists already, which is the normal case for every worker but the first.
        }
    }

    /**
     * First a job idle past {@code visibility} (a dead worker's), else a new one, waiting up to {@code block}.
     *
     * @throws UnreadableJob for an entry that names no valid recording (now pending for {@code consumer})
     */
    public Optional<Job> take(String consumer, Duration visibility, Duration block) {
        var claimed = redis.xautoclaim(RecordingKeys.MERGE_JOBS,
                XAutoClaimArgs.Builder.xautoclaim(Consumer.from(GROUP, consumer), visibility, "0-0").count(1));
        if (claimed != null && !claimed.getMessages().isEmpty()) {
            StreamMessage<String, String> m = claimed.getMessages().get(0);
            return Optional.of(toJob(m, 2));
        }
        List<StreamMessage<String, String>> fresh = redis.xreadgroup(Consumer.from(GROUP, consumer),
                XReadArgs.Builder.block(block).count(1),
                XReadArgs.StreamOffset.lastConsumed(RecordingKeys.MERGE_JOBS));
        return fresh == null || fresh.isEmpty() ? Optional.empty() : Optional.of(toJob(fresh.get(0), 1));
    }

    /**
     * Renews the lease on a job still being worked on: XCLAIM with JUSTID resets its idle time (without
     * counting a delivery), so XAUTOCLAIM does not hand a long merge to a second worker. False when the
     * job is no longer pending (acked) or is pending for another consumer (it was claimed after this
     * one's lease ran out): the caller has lost it and must not publish. The check and the claim are two
     * commands; a claim landing between them is taken back, which is why callers also fence on state.
     */
    public boolean extend(String consumer, Job job) {
        List<PendingMessage> pending = redis.xpending(RecordingKeys.MERGE_JOBS, GROUP,
                Range.create(job.messageId(), job.messageId()), Limit.from(1));
        if (pending == null || pending.isEmpty() || !consumer.equals(pending.get(0).getConsumer())) {
            return false;
        }
        var claimed = redis.xclaim(RecordingKeys.MERGE_JOBS, Consumer.from(GROUP, consumer),
                XClaimArgs.Builder.justid(), job.messageId());
        return claimed != null && !claimed.isEmpty();
    }

    public void ack(Job job) {
        discard(job.messageId());
    }

    /** Acks and deletes an entry: a job done, or an {@link UnreadableJob}. */
    public void discard(String messageId) {
        redis.xack(RecordingKeys.MERGE_JOBS, GROUP, messageId);
        redis.xdel(RecordingKeys.MERGE_JOBS, messageId);
    }

    /**
     * Removes the consumers that hold no pending job and have been idle for longer than {@code idle}: those of
     * merger processes that are gone (every process names its consumers afresh). A live consumer is never idle
     * that long while it has nothing pending, since it reads the queue every few seconds.
     *
     * @return the names removed
     */
    public List<String> removeIdleConsumers(Duration idle) {
        List<String> removed = redis.eval(IDLE_CONSUMERS, ScriptOutputType.MULTI, new String[] {RecordingKeys.MERGE_JOBS},
                GROUP, Long.toString(idle.toMillis()));
        return removed == null ? List.of() : removed.stream().map(String::valueOf).toList();
    }

    private static Job toJob(StreamMessage<String, String> m, long deliveries) {
        String id = m.getBody() == null ? null : m.getBody().get(FIELD);
        if (id == null) {
            throw new UnreadableJob(m.getId(), "no " + FIELD + " field");
        }
        if (!RecordingId.PATTERN.matcher(id).matches()) {
            throw new UnreadableJob(m.getId(), FIELD + " is not a recording id");
        }
        return new Job(m.getId(), RecordingId.of(id), deliveries);
    }
}
