package dev.recingest.merge;

import dev.recingest.protocol.ErrorCode;
import dev.recingest.protocol.IngestException;
import dev.recingest.state.RedisFailures;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** A merge that cannot complete, carrying the {@link MergeError} the recording is failed with. */
public final class MergeFailure extends RuntimeException {

    private final MergeError error;

    public MergeFailure(MergeError error, String message) {
        this(error, message, null);
    }

    public MergeFailure(MergeError error, String message, Throwable cause) {
        super(message, cause);
        this.error = error;
    }

    public MergeError error() {
        return error;
    }

    public boolean retryable() {
        return error.retryable();
    }

    /**
     * The one translation point: a MergeFailure (possibly wrapped by a future) as it is; a storage error, and a
     * Redis outage classified the way the gateway classifies it ({@link RedisFailures#classify}: unreachable,
     * restarting, loading, failing over), as STORAGE_UNAVAILABLE; anything else INTERNAL. A NOT_FOUND counts as
     * unavailable too: here it means a missing bucket (configuration, worth retrying); a chunk that is gone is
     * named as such by the code that reads chunks.
     */
    public static MergeFailure from(Throwable t) {
        Throwable c = t;
        while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        if (c instanceof MergeFailure mf) {
            return mf;
        }
        if (c instanceof IngestException ie) {
            return new MergeFailure(MergeError.STORAGE_UNAVAILABLE, ie.getMessage(), ie);
        }
        IngestException classified = RedisFailures.classify(c);
        if (classified.code() == ErrorCode.STORAGE_UNAVAILABLE) {
            return new MergeFailure(MergeError.STORAGE_UNAVAILABLE, classified.getMessage(), c);
        }
        return new MergeFailure(MergeError.INTERNAL, "internal error: " + c, c);
    }
}
