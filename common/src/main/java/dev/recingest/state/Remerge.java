package dev.recingest.state;

import dev.recingest.protocol.RecordingId;
import java.util.EnumSet;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Asks for another merge of a recording that FAILED (say, after a missing chunk was restored) or is
 * STOPPED with a lost job: back to STOPPED with a fresh attempt budget and no error, then a new job.
 * The merge itself only ever starts from STOPPED or MERGING, so a FAILED recording is never merged
 * again by a stray duplicate job. This is only the Redis step: storage records the FAILED outcome too, and a
 * merger that finds Redis behind storage goes by storage, so a re-merge goes through
 * {@code dev.recingest.durable.Remerges} (the admin API's {@code POST /v1/recordings/{id}/merge}), which
 * records the stop in storage again first.
 */
public final class Remerge {

    /** Meta fields of the previous outcome that a re-merge clears ("announced": which outcome the merger announced). */
    static final String[] OUTCOME_FIELDS = {MetaFields.ERROR_CODE, MetaFields.ERROR_MESSAGE, MetaFields.FAILED_AT, MetaFields.ANNOUNCED};

    private Remerge() {
    }

    /** Completes with true when a job was queued, false when the recording is in no state to re-merge. */
    public static CompletableFuture<Boolean> request(RecordingStore recordings, RecordingId id) {
        return recordings.transition(id, EnumSet.of(RecordingState.FAILED, RecordingState.STOPPED),
                        RecordingState.STOPPED, Map.of(MetaFields.MERGE_ATTEMPTS, "0"))
                .thenCompose(t -> !t.ok() ? CompletableFuture.completedFuture(false)
                        // An ended recording's keys were set to expire; this one is alive again.
                        : recordings.retention().persist(id)
                                .thenCompose(x -> recordings.clearFields(id, OUTCOME_FIELDS))
                                .thenCompose(x -> recordings.mergeQueue().enqueue(id))
                                .thenApply(x -> true));
    }
}
