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
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.models.stream.PendingMessage;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The merge job queue: a Redis Stream read through the consumer group {@code mergers}. A job stays
 * pending until acked; a worker that dies leaves it pending, and after the visibility timeout another
 * worker claims it with XAUTOCLAIM. The blocking reads need a connection of their own.
 */
public final class MergeQueue {

    public static final String GROUP = "mergers";
    private static final String IDLE_CONSUMERS = LuaScript.source("idle_consumers");
    static final String FIELD = "recordingId";

    private final RedisClusterCommands<String, String> redis;

    public MergeQueue(RedisClusterCommands<String, String> redis) {
        this.redis = redis;
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
