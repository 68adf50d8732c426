package dev.recingest.gateway;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;

/**
 * First in the pipeline: makes every close a lingering close. Closing a TCP socket that still has unread
 * input makes the kernel send a reset, and a client that receives the reset can lose the close frame
 * (and the error message before it) that was already on its way; it then sees 1006 instead of, say,
 * 1009 for a chunk it was still sending. So a close first half-closes the output (the client reads
 * everything we sent, then end of stream), discards whatever the client still sends, and closes for good
 * when the client closes its side or after {@code lingerMillis}.
 */
final class LingeringClose extends ChannelDuplexHandler {

    private final long lingerMillis;
    private boolean lingering;

    LingeringClose(long lingerMillis) {
        this.lingerMillis = lingerMillis;
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        if (lingering) {
            // Already closing: a second close (say, after the frame decoder's own) waits for the same end.
            ctx.channel().closeFuture().addListener(f -> promise.trySuccess());
            return;
        }
        if (!ctx.channel().isActive() || !(ctx.channel() instanceof DuplexChannel duplex)
                || duplex.isOutputShutdown()) {
            ctx.close(promise);
            return;
        }
        lingering = true;
        ctx.channel().config().setAutoRead(true); // keep reading (and discarding) until the client is done
        ctx.channel().closeFuture().addListener(f -> promise.trySuccess());
        duplex.shutdownOutput().addListener(f -> {
            if (!f.isSuccess()) {
                ctx.close();
            }
        });
        ctx.executor().schedule(() -> ctx.close(), lingerMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (lingering) {
            ReferenceCountUtil.release(msg);
        } else {
            ctx.fireChannelRead(msg);
        }
    }
}
