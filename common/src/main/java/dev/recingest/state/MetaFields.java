package dev.recingest.state;

/**
 * The field names of a recording's meta hash ({@code rec:{id}:meta}; see package-info), in one place for the
 * Java side. The Lua scripts name the same fields in their own source (a script cannot import these); a field
 * renamed here must be renamed there too ({@code grep -r "'name'" src/main/resources}).
 *
 * <p>Timestamps are epoch milliseconds as decimal strings.
 */
public final class MetaFields {

    /** {@link RecordingState} name; a meta hash without it is no recording. */
    public static final String STATE = "state";
    public static final String CONTENT_TYPE = "contentType";
    /** {@code stream} or {@code segments} (the wire name of {@code protocol.Mode}). */
    public static final String MODE = "mode";
    /** {@code explicit} or {@code auto} once the first chunk set it, else empty. */
    public static final String SEQ_MODE = "seqMode";
    /** The owner epoch: creation time in ms times 1000, plus one per takeover. */
    public static final String EPOCH = "epoch";
    /** Chunks at stop (before it, the index counter {@code rec:{id}:next} counts them). */
    public static final String CHUNKS = "chunks";
    public static final String BYTES = "bytes";
    /** The start's metadata as JSON, or empty. */
    public static final String METADATA = "metadata";
    public static final String CREATED_AT = "createdAt";
    public static final String UPDATED_AT = "updatedAt";
    public static final String LAST_CHUNK_AT = "lastChunkAt";
    public static final String STOPPED_AT = "stoppedAt";
    public static final String COMPLETED_AT = "completedAt";
    public static final String FAILED_AT = "failedAt";
    public static final String ABORTED_AT = "abortedAt";
    public static final String DELETED_AT = "deletedAt";
    /** The MP4's object key, once COMPLETED. */
    public static final String OUTPUT_KEY = "outputKey";
    public static final String OUTPUT_SIZE = "outputSize";
    public static final String DURATION_SECONDS = "durationSeconds";
    /** Why a recording FAILED: a {@code MergeError} (or EMPTY) and its message. */
    public static final String ERROR_CODE = "errorCode";
    public static final String ERROR_MESSAGE = "errorMessage";
    /** Merge attempts counted since the stop (or the last re-merge). */
    public static final String MERGE_ATTEMPTS = "mergeAttempts";
    /** The id of the latest merge attempt ("{number}-{random}"): the fence of that attempt's steps. */
    public static final String MERGE_ATTEMPT_ID = "mergeAttemptId";
    /**
     * When the merge job of the last stop was queued: a STOPPED recording without it had its job lost between
     * the stop and the queue, and the janitor queues it again.
     */
    public static final String MERGE_QUEUED_AT = "mergeQueuedAt";
    /** Every index below it is stored or void: where a repair's listing starts. */
    public static final String FILLED_TO = "filledTo";
    /** Until when (epoch ms) the merge attempt in progress holds its lease on the recording. */
    public static final String MERGE_LEASE_UNTIL = "mergeLeaseUntil";
    /**
     * The proof of Redis (its run_id and replication id, point.lua) under which the recording was last found to
     * agree with storage: while Redis's proof is still the same, Redis has lost nothing since, and a resume needs
     * no listing (start.lua records it; {@code dev.recingest.durable.StorageReconciler#reconcileToOpen}).
     */
    public static final String AGREED_ON = "agreedOn";
    /** The final state whose webhook is in the outbox (so it is not announced again). */
    public static final String ANNOUNCED = "announced";

    private MetaFields() {
    }
}
