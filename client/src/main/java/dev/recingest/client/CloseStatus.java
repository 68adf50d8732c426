package dev.recingest.client;

import dev.recingest.protocol.CloseCodes;

/**
 * How a WebSocket connection ended: the close code and reason the gateway sent, or
 * {@link #ABNORMAL} (1006, never sent on the wire) when the connection broke without a close frame.
 */
public record CloseStatus(int code, String reason) {

    public static final int ABNORMAL = 1006;

    public CloseStatus {
        reason = reason == null ? "" : reason;
    }

    public static CloseStatus abnormal(String reason) {
        return new CloseStatus(ABNORMAL, reason);
    }

    public boolean isNormal() {
        return code == CloseCodes.NORMAL;
    }

    /** Codes after which PROTOCOL.md tells a client to reconnect and resume: drain, broken link, internal error. */
    public boolean isResumable() {
        return code == CloseCodes.GOING_AWAY || code == ABNORMAL || code == CloseCodes.INTERNAL_ERROR;
    }

    @Override
    public String toString() {
        return reason.isEmpty() ? Integer.toString(code) : code + " '" + reason + "'";
    }
}
