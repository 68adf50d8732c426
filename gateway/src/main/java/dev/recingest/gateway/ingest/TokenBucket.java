package dev.recingest.gateway.ingest;

/**
 * A rate limit of one kind of frame on one connection: a token bucket that holds up to {@code burst}
 * frames and refills at {@code perSecond}. Frames are counted, not bytes: every frame costs work (Redis
 * script calls and an S3 put for a chunk, a listing and a script for a stop, a pong for a ping) however
 * small it is, and bytes are bounded elsewhere (the flow-control window, the frame size limits).
 * Only the connection's event loop touches it.
 */
final class TokenBucket {

    private final double perNano;
    private final double burst;
    private double tokens;
    private long lastNanos;

    /** @param perSecond 0 for no limit */
    TokenBucket(int perSecond, int burst, long nowNanos) {
        this.perNano = perSecond / 1e9;
        this.burst = burst;
        this.tokens = burst;
        this.lastNanos = nowNanos;
    }

    /** Takes one frame's token; false when the connection is over its rate. */
    boolean tryTake(long nowNanos) {
        if (perNano == 0) {
            return true;
        }
        tokens = Math.min(burst, tokens + (nowNanos - lastNanos) * perNano);
        lastNanos = nowNanos;
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }
}
