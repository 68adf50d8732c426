package dev.recingest.client;

import dev.recingest.protocol.ErrorCode;
import dev.recingest.protocol.ErrorDetail;
import dev.recingest.protocol.Message;
import java.net.http.WebSocketHandshakeException;
import java.util.List;

/**
 * The one failure type of the client. {@link #errorCode()} is the gateway's {@link ErrorCode} when the gateway
 * said why ({@code BAD_REQUEST}, {@code NOT_OPEN}, {@code STORAGE_UNAVAILABLE}...), with its typed
 * {@link #detail()}; {@link #code()} is the raw string, stable too: that code, one this client does not know
 * yet (from a newer gateway), or one of the client-side codes below (never an {@link ErrorCode} name). The gateway's {@code error} message, the close status of the
 * connection and the HTTP status of a refused upgrade or an admin call are kept when known, because
 * tests assert on exactly those.
 */
public class ClientException extends RuntimeException {

    /** The connection closed without an error message explaining it. */
    public static final String CLOSED = "CLOSED";
    /** The TCP connection or the WebSocket upgrade failed. */
    public static final String CONNECT_FAILED = "CONNECT_FAILED";
    /** The gateway did not answer (ack, started, stopped) within the ack timeout. */
    public static final String TIMEOUT = "TIMEOUT";
    /** The recording was aborted by this client; pending chunks fail with this. */
    public static final String ABORTED = "ABORTED";
    /** A thread waiting for window space was interrupted. */
    public static final String INTERRUPTED = "INTERRUPTED";
    /**
     * {@code part()} on a gateway whose {@code started} reports no {@code parts}: it predates parts. Refused
     * by the client, so the session goes on (the gateway would close it with 4400).
     */
    public static final String PARTS_UNSUPPORTED = "PARTS_UNSUPPORTED";
    /** The gateway asked for a chunk this client no longer holds. */
    public static final String CANNOT_RESEND = "CANNOT_RESEND";

    private final String code;
    private final String detail;
    private final transient Message.Error error;
    private final CloseStatus close;
    private final int httpStatus;

    public ClientException(String code, String message, Message.Error error, CloseStatus close,
                           int httpStatus, Throwable cause) {
        super(code + ": " + message + (close == null ? "" : " (close " + close + ")")
                + (httpStatus == 0 ? "" : " (HTTP " + httpStatus + ")"), cause);
        this.code = code;
        this.detail = message;
        this.error = error;
        this.close = close;
        this.httpStatus = httpStatus;
    }

    public static ClientException of(String code, String message) {
        return new ClientException(code, message, null, null, 0, null);
    }

    /** The gateway's {@code error} message, with the close that followed it if one did. */
    public static ClientException fromError(Message.Error error, CloseStatus close) {
        return new ClientException(error.code(), error.message() == null ? "" : error.message(),
                error, close, 0, null);
    }

    /** A close that ended the session; {@code error} is the message that announced it, if any. */
    public static ClientException closed(CloseStatus close, Message.Error error) {
        if (error != null) {
            return fromError(error, close);
        }
        return new ClientException(CLOSED, "connection closed", null, close, 0, null);
    }

    public static ClientException connectFailed(String target, Throwable cause) {
        Throwable c = cause;
        while (c != null) {
            if (c instanceof WebSocketHandshakeException h) {
                int status = h.getResponse().statusCode();
                return new ClientException(CONNECT_FAILED, "WebSocket upgrade to " + target + " refused",
                        null, null, status, cause);
            }
            c = c.getCause();
        }
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return new ClientException(CONNECT_FAILED, "cannot connect to " + target + ": " + root, null, null, 0, cause);
    }

    /** Copies this failure for another caller, so that each thrown exception has its own stack trace. */
    ClientException copy() {
        return new ClientException(code, detail, error, close, httpStatus, this);
    }

    /** The stable code: a gateway error code or one of this class's constants. */
    public String code() {
        return code;
    }

    /**
     * The gateway's code; null when the failure is the client's own ({@link #CLOSED}, {@link #TIMEOUT}...) or the
     * gateway sent a code this client does not know ({@link #code()} has it).
     */
    public ErrorCode errorCode() {
        return ErrorCode.fromWire(code).orElse(null);
    }

    /** The typed detail of the gateway's error (INCOMPLETE's missing seqs, NOT_OPEN's state...), or null. */
    public ErrorDetail detail() {
        return error == null ? null : error.detail();
    }

    /** The gateway's error message, or null. */
    public Message.Error error() {
        return error;
    }

    /** How the connection closed, or null if it did not close (or has not yet). */
    public CloseStatus closeStatus() {
        return close;
    }

    /** The close code, or 0 when there was no close. */
    public int closeCode() {
        return close == null ? 0 : close.code();
    }

    public String closeReason() {
        return close == null ? null : close.reason();
    }

    /** The HTTP status of a refused upgrade or a failed admin call, or 0. */
    public int httpStatus() {
        return httpStatus;
    }

    /** The seqs an INCOMPLETE error named, or an empty list. */
    public List<Long> missing() {
        return detail() instanceof ErrorDetail.Missing m ? m.missing() : List.of();
    }
}
