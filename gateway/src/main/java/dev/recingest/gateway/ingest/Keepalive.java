package dev.recingest.gateway.ingest;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;

/**
 * Keepalive of one connection, from the idle events of the pipeline's {@code IdleStateHandler}: a WebSocket
 * gets a ping when nothing was written for the ping interval, and is ended (4408) when nothing arrived, not even
 * a pong, for the idle timeout: that is the {@link IngestHandler}'s to do ({@link IdleTimeout}), since it must
 * stop answering the recording first. An HTTP connection (or an upgrade that never completed) that went quiet
 * is closed. Stateless and shared: whether a connection is a WebSocket yet is its {@link WebSocketGuard}'s to say
 * (an idle connection should cost little heap; issue 5).
 */
@Sharable
public final class Keepalive extends ChannelInboundHandlerAdapter {

    /** Event for the connection's {@link IngestHandler}: nothing arrived for the idle timeout. */
    enum IdleTimeout {
        INSTANCE
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent idle) {
            boolean upgraded = WebSocketGuard.upgraded(ctx.pipeline());
            if (idle.state() == IdleState.READER_IDLE) {
                if (upgraded) {
                    ctx.fireUserEventTriggered(IdleTimeout.INSTANCE);
                } else {
                    ctx.close();
                }
            } else if (idle.state() == IdleState.WRITER_IDLE && upgraded) {
                ctx.writeAndFlush(new PingWebSocketFrame(), ctx.voidPromise());
            }
            return;
        }
        super.userEventTriggered(ctx, evt);
    }
}
