package dev.recingest.gateway.ingest;

import dev.recingest.gateway.GatewayConfig;
import dev.recingest.protocol.ChunkFrame;
import dev.recingest.protocol.ErrorCode;
import dev.recingest.protocol.IngestException;

/**
 * What one connection may send, decided from each frame's header before any of its payload is held
 * ({@link LimitedFrameDecoder} asks): until {@code start} only a control message, no bigger than the text
 * limit and, while it arrives in pieces, within the gateway's {@link PreStartBudget}; after it, chunks up
 * to the max chunk size; always at most so many chunk frames, control messages, and pings and pongs per
 * second. A fragmented message counts as a whole: its size is the sum of its frames. Also keeps the
 * {@code start} deadline's clock. Only the connection's event loop touches it.
 *
 * <p>Pings and pongs have a bucket of their own: a client answers each of the gateway's pings with a pong,
 * so their rate is twice what answering needs (at least 2 per second: room for a client's own keepalive
 * pings), with the control burst.
 */
final class FrameLimits {

    static final int CONTINUATION = 0x0;
    static final int TEXT = 0x1;
    static final int BINARY = 0x2;
    static final int PING = 0x9;
    static final int PONG = 0xA;

    private final GatewayConfig config;
    private final PreStartBudget budget;
    private final TokenBucket chunks;
    private final TokenBucket control;
    private final TokenBucket keepalive;
    private final int keepalivePerSecond;
    private boolean awaitingStart = true;
    private long startDueNanos;
    /** TEXT or BINARY while a message is under way (between its first frame and its last), else -1. */
    private int messageKind = -1;
    private boolean messageFragmented;
    private long messageBytes;
    private long reserved;
    private Runnable onAwaitStart = () -> { };

    FrameLimits(GatewayConfig config, PreStartBudget budget, long nowNanos) {
        this.config = config;
        this.budget = budget;
        this.chunks = new TokenBucket(config.maxChunksPerSecond(), config.chunkBurst(), nowNanos);
        this.control = new TokenBucket(config.maxControlPerSecond(), config.controlBurst(), nowNanos);
        this.keepalivePerSecond = config.maxControlPerSecond() == 0 ? 0
                : (int) Math.max(2, (2000 + config.pingInterval().toMillis() - 1) / config.pingInterval().toMillis());
        this.keepalive = new TokenBucket(keepalivePerSecond, config.controlBurst(), nowNanos);
        this.startDueNanos = nowNanos + config.startTimeout().toNanos();
    }

    /**
     * Checks a frame by its header.
     *
     * @param wholeFrameHere its payload has arrived already, so it is decoded and passed on at once
     * @return null when the frame may be read, else why the connection is refused
     */
    IngestException check(int opcode, boolean fin, long payloadLength, boolean wholeFrameHere, long nowNanos) {
        int kind;
        if (opcode == PING || opcode == PONG) {
            return keepalive.tryTake(nowNanos) ? null : new IngestException(ErrorCode.RATE_LIMITED, "over "
                    + keepalivePerSecond + " pings and pongs per second (burst " + config.controlBurst() + ")");
        } else if (opcode == TEXT || opcode == BINARY) {
            kind = opcode;
            messageKind = opcode;
            messageFragmented = !fin;
            messageBytes = 0;
        } else if (opcode == CONTINUATION && messageKind != -1) {
            kind = messageKind;
        } else {
            return null; // close, or a frame the decoder refuses itself (reserved opcode, stray continuation)
        }
        messageBytes += payloadLength;
        return kind == TEXT ? checkText(payloadLength, wholeFrameHere, nowNanos) : checkChunk(nowNanos);
    }

    private IngestException checkText(long payloadLength, boolean wholeFrameHere, long nowNanos) {
        if (messageBytes > config.maxTextBytes()) {
            return new IngestException(ErrorCode.FRAME_TOO_BIG, "control message over " + config.maxTextBytes()
                    + " bytes");
        }
        if (!control.tryTake(nowNanos)) {
            return overControlRate();
        }
        if (awaitingStart && (messageFragmented || !wholeFrameHere)) {
            // Held across reads before the client has shown a token: counted against the gateway's budget.
            if (!budget.tryReserve(payloadLength)) {
                return new IngestException(ErrorCode.RATE_LIMITED, "too many connections are still sending their"
                        + " start to this gateway; retry in a moment");
            }
            reserved += payloadLength;
        }
        return null;
    }

    private IngestException checkChunk(long nowNanos) {
        if (awaitingStart) {
            return new IngestException(ErrorCode.BAD_REQUEST, "chunk before start");
        }
        if (messageBytes > config.maxChunkBytes() + (long) ChunkFrame.HEADER_BYTES) {
            return new IngestException(ErrorCode.FRAME_TOO_BIG, "chunk frame over " + config.maxChunkBytes()
                    + " bytes of payload");
        }
        if (!chunks.tryTake(nowNanos)) {
            return new IngestException(ErrorCode.RATE_LIMITED, "over " + config.maxChunksPerSecond()
                    + " chunks per second (burst " + config.chunkBurst() + ")");
        }
        return null;
    }

    private IngestException overControlRate() {
        return new IngestException(ErrorCode.RATE_LIMITED, "over " + config.maxControlPerSecond()
                + " control messages per second (burst " + config.controlBurst() + ")");
    }

    /** A frame checked before has been decoded and passed on. */
    void decoded(int opcode, boolean fin) {
        boolean data = opcode == TEXT || opcode == BINARY || opcode == CONTINUATION;
        if (data && fin) {
            messageKind = -1;
            releaseReserved(); // the whole message is out of the decoder
        }
    }

    /** The connection is gone: whatever it held is free. */
    void release() {
        releaseReserved();
    }

    private void releaseReserved() {
        if (reserved > 0) {
            budget.release(reserved);
            reserved = 0;
        }
    }

    /** The WebSocket upgrade completed: the start deadline counts from now. */
    void upgraded(long nowNanos) {
        startDueNanos = nowNanos + config.startTimeout().toNanos();
    }

    /** The client sent {@code start}: chunks may follow, and the deadline no longer applies. */
    void startReceived() {
        awaitingStart = false;
    }

    /** A {@code start} failed in a way the client may retry on this connection: it has another deadline. */
    void awaitStartAgain(long nowNanos) {
        awaitingStart = true;
        startDueNanos = nowNanos + config.startTimeout().toNanos();
        onAwaitStart.run();
    }

    /** Who watches the deadline: told when the connection awaits a start again. */
    void onAwaitStart(Runnable watcher) {
        this.onAwaitStart = watcher;
    }

    boolean awaitingStart() {
        return awaitingStart;
    }

    /** Nanoseconds until {@code start} is due (negative once overdue). */
    long nanosUntilStartDue(long nowNanos) {
        return startDueNanos - nowNanos;
    }
}
