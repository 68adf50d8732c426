package dev.recingest.protocol;

/**
 * The error the service answers with: a stable {@link ErrorCode} (which carries the close code, HTTP status
 * and retryability), a human-readable message, and, for the codes that have one, a typed
 * {@link ErrorDetail} (SEQ_GAP's expected seq, INCOMPLETE's missing seqs, NOT_OPEN's state) that goes into
 * the JSON error message. Thrown by the protocol's own parsing (ids, modes, control messages), by the
 * gateway, and by the storage layers for an outage (STORAGE_UNAVAILABLE) or a missing object (NOT_FOUND);
 * the merger maps it to its {@code MergeError}. It lives with the protocol because what it carries is
 * exactly what goes on the wire.
 */
public class IngestException extends RuntimeException {

    private final ErrorCode code;
    private final ErrorDetail detail;

    public IngestException(ErrorCode code, String message) {
        this(code, message, null, null);
    }

    public IngestException(ErrorCode code, String message, ErrorDetail detail) {
        this(code, message, detail, null);
    }

    public IngestException(ErrorCode code, String message, Throwable cause) {
        this(code, message, null, cause);
    }

    /** @param detail null when the code carries none */
    public IngestException(ErrorCode code, String message, ErrorDetail detail, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.detail = detail;
    }

    public ErrorCode code() {
        return code;
    }

    /** The code's extra fields, or null. */
    public ErrorDetail detail() {
        return detail;
    }

    /**
     * The one translation point for unknown failures: an IngestException (possibly wrapped by a
     * CompletableFuture) is returned as it is, anything else becomes INTERNAL.
     */
    public static IngestException from(Throwable t) {
        Throwable c = t;
        while (c != null) {
            if (c instanceof IngestException ie) {
                return ie;
            }
            c = c.getCause();
        }
        return new IngestException(ErrorCode.INTERNAL, "internal error", t);
    }
}
