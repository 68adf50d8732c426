package dev.recingest.gateway.ingest;

import dev.recingest.protocol.ErrorCode;
import dev.recingest.protocol.IngestException;
import dev.recingest.protocol.Json;
import dev.recingest.protocol.Message;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.util.List;

/** Writing protocol messages and closes to a connection. */
final class Replies {

    private Replies() {
    }

    static void send(ChannelHandlerContext ctx, Message message) {
        ctx.writeAndFlush(new TextWebSocketFrame(Json.write(message)), ctx.voidPromise());
    }

    /** The error message of PROTOCOL.md for {@code e}, with the fields its code carries. */
    @SuppressWarnings("unchecked")
    static Message.Error errorMessage(IngestException e) {
        var d = e.details();
        return new Message.Error(wireCode(e.code()), e.getMessage(),
                (Long) d.get("seq"), (Long) d.get("expected"), (List<Long>) d.get("missing"), (String) d.get("state"));
    }

    /** Codes that PROTOCOL.md does not name go on the wire as the protocol code that means the same. */
    static String wireCode(ErrorCode code) {
        return code == ErrorCode.TAKEN_OVER ? ErrorCode.NOT_OPEN.name() : code.name();
    }

    /** Sends a close frame with the code and reason, then closes the channel. */
    static void close(ChannelHandlerContext ctx, int code, String reason) {
        if (!ctx.channel().isActive()) {
            return;
        }
        // A close reason is limited to 123 bytes by RFC 6455.
        String r = reason.length() > 100 ? reason.substring(0, 100) : reason;
        ctx.writeAndFlush(new CloseWebSocketFrame(code, r)).addListener(ChannelFutureListener.CLOSE);
    }
}
