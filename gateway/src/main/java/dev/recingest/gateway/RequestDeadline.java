package dev.recingest.gateway;

import io.micrometer.core.instrument.Counter;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler.HandshakeComplete;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a connection that does not deliver a complete HTTP request within the handshake timeout: from
 * the moment it connects, and again after each response on a kept-alive HTTP connection. Netty's own
 * {@code handshakeTimeoutMillis} starts only once a complete upgrade request has arrived, and the reader
 * idle timeout restarts on every byte, so without this a client that connects and sends nothing, or
 * sends half a request a byte at a time, holds a socket for as long as it likes. A completed WebSocket
 * upgrade disarms it for good and takes it out of the pipeline; from then on pings and the idle timeout
 * keep watch.
 *
 * <p>Sits after the WebSocket handler (to see its handshake event and the requests it passes on) and
 * before the HTTP API (to see its responses go out).
 */
final class RequestDeadline extends ChannelDuplexHandler {

    private static final Logger LOG = LoggerFactory.getLogger(RequestDeadline.class);

    private final long timeoutMillis;
    private final Counter timeouts;
    private ScheduledFuture<?> deadline;
    private boolean upgraded;

    RequestDeadline(long timeoutMillis, Counter timeouts) {
        this.timeoutMillis = timeoutMillis;
        this.timeouts = timeouts;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        arm(ctx);
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof HttpRequest) {
            disarm(); // a whole request (the aggregator before us only passes whole ones): the API answers it
        }
        super.channelRead(ctx, msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof HandshakeComplete) {
            upgraded = true;
            disarm();
            super.userEventTriggered(ctx, evt);
            // Nothing left to watch on a WebSocket: leaving the pipeline saves its heap on every open recording.
            ctx.pipeline().remove(this);
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        boolean endOfResponse = msg instanceof LastHttpContent && !upgraded
                && !(msg instanceof HttpResponse r && r.status().equals(HttpResponseStatus.SWITCHING_PROTOCOLS));
        if (endOfResponse) {
            // Kept alive after a response: the next request must come within the timeout too.
            ChannelPromise p = promise.unvoid();
            p.addListener(f -> {
                if (!upgraded && ctx.channel().isActive()) {
                    arm(ctx);
                }
            });
            super.write(ctx, msg, p);
            return;
        }
        super.write(ctx, msg, promise);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        disarm();
        super.channelInactive(ctx);
    }

    private void arm(ChannelHandlerContext ctx) {
        disarm();
        deadline = ctx.executor().schedule(() -> {
            if (!upgraded && ctx.channel().isActive()) {
                timeouts.increment();
                LOG.atDebug().addKeyValue("remote", ctx.channel().remoteAddress()).addKeyValue("timeoutMs", timeoutMillis)
                        .log("request not complete in time");
                ctx.close();
            }
        }, timeoutMillis, TimeUnit.MILLISECONDS);
    }

    private void disarm() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }
}
