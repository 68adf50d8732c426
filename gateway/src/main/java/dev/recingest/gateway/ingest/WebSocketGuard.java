package dev.recingest.gateway.ingest;

import dev.recingest.gateway.GatewayConfig;
import dev.recingest.protocol.ErrorCode;
import dev.recingest.protocol.IngestException;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler.HandshakeComplete;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Puts a connection's {@link FrameLimits} to work the moment it becomes a WebSocket: swaps Netty's frame
 * decoder for the {@link LimitedFrameDecoder}, and closes the connection if it does not send {@code start}
 * within the start timeout (nor again within it after a start it may retry). Until {@code start} a
 * connection carries no token; pings and pongs would otherwise keep it open for as long as it likes.
 * It also counts the gateway's WebSocket connections, and refuses one past RECINGEST_MAX_CONNECTIONS (4429).
 *
 * <p>The swap happens while the upgrade request is being answered, before the client (which must wait
 * for the 101 response) can have sent a frame, so the new decoder starts at a frame boundary.
 */
public final class WebSocketGuard extends ChannelInboundHandlerAdapter {

    private final FrameLimits limits;
    private final WebSocketDecoderConfig decoderConfig;
    private final long startTimeoutMillis;
    private final GatewayMetrics metrics;
    private final int maxConnections;
    private ScheduledFuture<?> deadline;
    /** Counted among the gateway's WebSocket connections (from the upgrade until it closes). */
    private boolean counted;

    /**
     * @param decoderConfig the frame decoder's settings once the connection is a WebSocket (its max frame
     *                      length is only a backstop: the limits refuse bigger frames first, with an error)
     */
    public WebSocketGuard(GatewayConfig config, PreStartBudget budget, WebSocketDecoderConfig decoderConfig,
                          GatewayMetrics metrics) {
        this.limits = new FrameLimits(config, budget, System.nanoTime());
        this.decoderConfig = decoderConfig;
        this.startTimeoutMillis = config.startTimeout().toMillis();
        this.metrics = metrics;
        this.maxConnections = config.maxConnections();
    }

    /** Whether the connection of {@code pipeline} is a WebSocket: its upgrade completed (the guard swapped decoders). */
    static boolean upgraded(ChannelPipeline pipeline) {
        return pipeline.get(LimitedFrameDecoder.class) != null;
    }

    /** What this connection may send; its handler tells it when {@code start} arrives. */
    FrameLimits limits() {
        return limits;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof HandshakeComplete) {
            ctx.pipeline().replace(WebSocketFrameDecoder.class, "wsdecoder", new LimitedFrameDecoder(decoderConfig, limits));
            limits.upgraded(System.nanoTime());
            limits.onAwaitStart(() -> arm(ctx, limits.nanosUntilStartDue(System.nanoTime())));
            arm(ctx, limits.nanosUntilStartDue(System.nanoTime()));
            super.userEventTriggered(ctx, evt);
            // The connection limit: counted once upgraded; one over it is refused (after the handler saw the upgrade).
            counted = true;
            if (metrics.connectionOpened() > maxConnections) {
                ctx.fireUserEventTriggered(new ConnectionRefused(new IngestException(ErrorCode.RATE_LIMITED,
                        "too many connections to this gateway")));
            }
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    private void arm(ChannelHandlerContext ctx, long nanos) {
        if (deadline != null) {
            deadline.cancel(false);
        }
        deadline = ctx.executor().schedule(() -> check(ctx), Math.max(0, nanos), TimeUnit.NANOSECONDS);
    }

    private void check(ChannelHandlerContext ctx) {
        deadline = null;
        if (!ctx.channel().isActive() || !limits.awaitingStart()) {
            return;
        }
        long left = limits.nanosUntilStartDue(System.nanoTime());
        if (left > 0) {
            arm(ctx, left);
            return;
        }
        ctx.fireUserEventTriggered(new ConnectionRefused(new IngestException(ErrorCode.START_TIMEOUT,
                "no start within " + startTimeoutMillis + " ms of the upgrade; send start as soon as the socket is open")));
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
        if (counted) {
            metrics.connectionClosed();
            counted = false;
        }
        super.channelInactive(ctx);
    }
}
