package dev.recingest.protocol;

/** WebSocket close codes of PROTOCOL.md. */
public final class CloseCodes {
    public static final int NORMAL = 1000;
    public static final int GOING_AWAY = 1001;
    public static final int MESSAGE_TOO_BIG = 1009;
    public static final int INTERNAL_ERROR = 1011;
    public static final int PROTOCOL_VIOLATION = 4400;
    public static final int UNAUTHORIZED = 4401;
    public static final int FORBIDDEN = 4403;
    public static final int IDLE_TIMEOUT = 4408;
    public static final int NOT_OPEN = 4409;
    public static final int RATE_LIMITED = 4429;

    private CloseCodes() {
    }
}
