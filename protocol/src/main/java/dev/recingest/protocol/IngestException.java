package dev.recingest.protocol;

import java.util.Map;

/**
 * The one error type of the system: a stable {@link ErrorCode} (which carries the close code, HTTP
 * status and retryability), a human-readable message, and optional extra fields that go into the
 * JSON error message (for example {@code expected} of a SEQ_GAP or {@code missing} of INCOMPLETE).
 */
public class IngestException extends RuntimeException {

    private final ErrorCode code;
    private final Map<String, Object> details;

    public IngestException(ErrorCode code, String message) {
        this(code, message, Map.of(), null);
    }

    public IngestException(ErrorCode code, String message, Map<String, Object> details) {
        this(code, message, details, null);
    }

    public IngestException(ErrorCode code, String message, Map<String, Object> details, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.details = Map.copyOf(details);
    }

    public ErrorCode code() {
        return code;
    }

    public Map<String, Object> details() {
        return details;
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
        return new IngestException(ErrorCode.INTERNAL, "internal error", Map.of(), t);
    }
}
