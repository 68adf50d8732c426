package dev.recingest.merge;

/**
 * Why a merge did not produce an output; the name is what a FAILED recording's {@code errorCode} says.
 * Retryable errors are tried again (up to the attempt limit); the others fail the recording at once,
 * because running the same merge over the same chunks would fail the same way.
 */
public enum MergeError {
    /** The recording has no chunk to merge (N == 0, or every index void). */
    EMPTY(false),
    /** An index in 0..N-1 that is neither void nor stored, in Redis or in object storage. */
    MISSING_CHUNKS(false),
    /** Redis and object storage disagree on a chunk's size, or the bytes read differ from both. */
    SIZE_MISMATCH(false),
    /** FFprobe finds no audio or video stream in the chunks. */
    UNSUPPORTED_MEDIA(false),
    /** Object storage could not be read or written within its retries. */
    STORAGE_UNAVAILABLE(true),
    /** FFmpeg exited with an error, produced no playable output, or ran past its timeout. */
    FFMPEG_FAILED(true),
    /** Earlier attempts ended without an outcome (the worker died or was stopped) until the limit. */
    WORKER_LOST(false),
    /** Anything unexpected: a bug, Redis unavailable. Retried, since it may be transient. */
    INTERNAL(true);

    private final boolean retryable;

    MergeError(boolean retryable) {
        this.retryable = retryable;
    }

    public boolean retryable() {
        return retryable;
    }
}
