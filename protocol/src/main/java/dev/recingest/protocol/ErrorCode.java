package dev.recingest.protocol;

import java.util.Optional;

/**
 * Stable error codes of the protocol and the admin API. Each code knows the WebSocket close code it
 * leads to (0 when the connection stays open), its HTTP status, whether a retry can succeed, and
 * whether the client or the service is to blame.
 */
public enum ErrorCode {
    BAD_REQUEST(CloseCodes.PROTOCOL_VIOLATION, 400, false, true),
    SEQ_GAP(0, 409, true, true),
    INCOMPLETE(0, 409, true, true),
    NOT_OPEN(CloseCodes.NOT_OPEN, 409, false, true),
    TAKEN_OVER(CloseCodes.NOT_OPEN, 409, false, true),
    UNAUTHORIZED(CloseCodes.UNAUTHORIZED, 401, false, true),
    /** The connection's token expired mid-recording: connect again with a fresh token and resume. */
    TOKEN_EXPIRED(CloseCodes.UNAUTHORIZED, 401, true, true),
    FORBIDDEN(CloseCodes.FORBIDDEN, 403, false, true),
    NOT_FOUND(0, 404, false, true),
    CONFLICT(0, 409, false, true),
    FRAME_TOO_BIG(CloseCodes.MESSAGE_TOO_BIG, 413, false, true),
    RATE_LIMITED(CloseCodes.RATE_LIMITED, 429, true, true),
    /** No {@code start} within the start timeout of the WebSocket upgrade. */
    START_TIMEOUT(CloseCodes.IDLE_TIMEOUT, 408, true, true),
    STORAGE_UNAVAILABLE(0, 503, true, false),
    INTERNAL(CloseCodes.INTERNAL_ERROR, 500, true, false);

    private final int closeCode;
    private final int httpStatus;
    private final boolean retryable;
    private final boolean clientFault;

    ErrorCode(int closeCode, int httpStatus, boolean retryable, boolean clientFault) {
        this.closeCode = closeCode;
        this.httpStatus = httpStatus;
        this.retryable = retryable;
        this.clientFault = clientFault;
    }

    /** The WebSocket close code this error ends a connection with, or 0 if the connection stays open. */
    public int closeCode() {
        return closeCode;
    }

    public int httpStatus() {
        return httpStatus;
    }

    public boolean retryable() {
        return retryable;
    }

    /**
     * The code a wire value names; empty for null and for a code this side does not know (a newer peer's), which a
     * reader keeps as the raw string rather than failing on.
     */
    public static Optional<ErrorCode> fromWire(String value) {
        if (value == null) {
            return Optional.empty();
        }
        for (ErrorCode c : values()) {
            if (c.name().equals(value)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    /** True when the client caused the error (bad input, no permission), false when the service did. */
    public boolean clientFault() {
        return clientFault;
    }
}
