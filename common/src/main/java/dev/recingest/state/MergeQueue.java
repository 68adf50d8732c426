package dev.recingest.state;

import dev.recingest.protocol.RecordingId;
import io.lettuce.core.Consumer;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisBusyException;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAutoClaimArgs;
import io.lettuce.core.XClaimArgs;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.sync.RedisCommands;
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
    static final String FIELD = "recordingId";

    private final RedisCommands<String, String> redis;

    public MergeQueue(RedisCommands<String, String> redis) {
        this.redis = redis;
    }

    /** A job taken from the queue: the stream message id (needed to ack) and the recording. */
    public record Job(String messageId, RecordingId recordingId, long deliveries) {
    }

    public void ensureGroup() {
        try {
            redis.xgroupCreate(XReadArgs.StreamOffset.from(RecordingKeys.MERGE_JOBS, "0"), GROUP,
                    XGroupCreateArgs.Builder.mkstream());
        } catch (RedisBusyException e) {
            // BUSYGROUP: the group exists already, which is the normal case for every worker but the first.
        }
    }

    /** First a job idle past {@code visibility} (a dead worker's), else a new one, waiting up to {@code block}. */
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
        redis.xack(RecordingKeys.MERGE_JOBS, GROUP, job.messageId());
        redis.xdel(RecordingKeys.MERGE_JOBS, job.messageId());
    }

    private static Job toJob(StreamMessage<String, String> m, long deliveries) {
        return new Job(m.getId(), RecordingId.of(m.getBody().get(FIELD)), deliveries);
    }
}
