package dev.recingest.merge;

import dev.recingest.protocol.ErrorCode;

/**
 * Why a merge did not produce an output; the name is what a FAILED recording's {@code errorCode} says.
 * Retryable errors are tried again (up to the attempt limit); the others fail the recording at once,
 * because running the same merge over the same chunks would fail the same way. The codes that mean what a
 * protocol {@link ErrorCode} means (STORAGE_UNAVAILABLE, INTERNAL) are that code: same name, same
 * retryability, and the same classification of the failure behind them ({@link MergeFailure#from}).
 */
public enum MergeError {
    /** The recording has no chunk to merge (N == 0, or every index void). */
    EMPTY(false),
    /** An index in 0..N-1 that is neither void nor stored, in Redis or in object storage. */
    MISSING_CHUNKS(false),
    /** Redis and object storage disagree on a chunk's size, or the bytes read differ from both. */
    SIZE_MISMATCH(false),
    /**
     * The merger cannot read the chunks: a content type it does not read, bytes that are not what the content
     * type says (an HLS playlist sent as video/webm, say), or no audio or video stream.
     */
    UNSUPPORTED_MEDIA(false),
    /** Object storage or Redis could not be read or written within its retries (an outage, not a fault). */
    STORAGE_UNAVAILABLE(ErrorCode.STORAGE_UNAVAILABLE),
    /**
     * FFmpeg exited with an error or wrote no playable output. Not retried: FFmpeg run again over the same
     * bytes fails the same way (a crash is {@link #FFMPEG_KILLED}, a full disk {@link #NO_SPACE}).
     */
    FFMPEG_FAILED(false),
    /** FFmpeg ran past the time the recording's length allows, or made no progress for the stall timeout. */
    FFMPEG_TIMEOUT(false),
    /** FFmpeg was killed by a signal (the kernel's out-of-memory killer, an operator): may go through next time. */
    FFMPEG_KILLED(true),
    /** The merger's work directory has no room for the merge (checked before it starts, or full while it ran). */
    NO_SPACE(true),
    /** Earlier attempts ended without an outcome (the worker died or was stopped) until the limit. */
    WORKER_LOST(false),
    /** Anything unexpected: a bug, an error a Redis script raised. Retried, since it may be transient. */
    INTERNAL(ErrorCode.INTERNAL);

    private final boolean retryable;

    MergeError(boolean retryable) {
        this.retryable = retryable;
    }

    /** A code the protocol has too: retried exactly when the protocol says a retry can succeed. */
    MergeError(ErrorCode same) {
        this.retryable = same.retryable();
    }

    public boolean retryable() {
        return retryable;
    }
}
