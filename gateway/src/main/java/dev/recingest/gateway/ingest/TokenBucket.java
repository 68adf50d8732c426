package dev.recingest.gateway.ingest;

/**
 * The chunk rate of one connection: a token bucket that holds up to {@code burst} chunk frames and
 * refills at {@code perSecond}. Every chunk frame costs a Redis script call or two and an S3 put, however
 * small its payload, so the limit counts frames, not bytes (bytes are bounded by the flow-control window).
 * Only the connection's event loop touches it.
 */
final class ChunkRateLimit {

    private final double perNano;
    private final double burst;
    private double tokens;
    private long lastNanos;

    /** @param perSecond 0 for no limit */
    ChunkRateLimit(int perSecond, int burst, long nowNanos) {
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
