package dev.recingest.gateway.ingest;

import dev.recingest.protocol.ErrorCode;
import dev.recingest.protocol.IngestException;
import dev.recingest.protocol.Json;
import dev.recingest.protocol.Message;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.nio.charset.StandardCharsets;

/** Writing protocol messages and closes to a connection. */
final class Replies {

    private Replies() {
    }

    static void send(ChannelHandlerContext ctx, Message message) {
        ctx.writeAndFlush(new TextWebSocketFrame(Json.write(message)), ctx.voidPromise());
    }

    /** The answer to a chunk that was acked, nacked or dropped as ahead of the counter (not a fatal one). */
    static Message answer(ChunkResult result) {
        if (result instanceof ChunkResult.Acked a) {
            return new Message.Ack(a.seq(), a.index(), a.size());
        } else if (result instanceof ChunkResult.Nacked n) {
            return new Message.Nack(n.seq(), ErrorCode.STORAGE_UNAVAILABLE.name(), n.retryable(), n.index(), n.message());
        } else if (result instanceof ChunkResult.Gap g) {
            return new Message.Error(ErrorCode.SEQ_GAP.name(), "seq " + g.seq() + " is ahead; resend from " + g.expected(),
                    g.seq(), g.expected(), null, null);
        }
        throw new IllegalArgumentException("a fatal result is answered by failing the connection: " + result);
    }

    /** The error message of PROTOCOL.md for {@code e}, with the fields its code carries. */
    static Message.Error errorMessage(IngestException e) {
        return Message.Error.of(wireCode(e.code()), e.getMessage(), e.detail());
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
        ctx.writeAndFlush(new CloseWebSocketFrame(code, closeReason(reason))).addListener(ChannelFutureListener.CLOSE);
    }

    /** RFC 6455 (5.5): a control frame's payload is at most 125 bytes, so a close reason at most 123. */
    static final int MAX_CLOSE_REASON_BYTES = 123;

    /**
     * The reason cut to {@link #MAX_CLOSE_REASON_BYTES} bytes of UTF-8, at a character boundary: a reason
     * cut by characters can still be too long (an 'é' is two bytes), and the close frame would be invalid.
     */
    static String closeReason(String reason) {
        byte[] utf8 = reason.getBytes(StandardCharsets.UTF_8);
        if (utf8.length <= MAX_CLOSE_REASON_BYTES) {
            return reason;
        }
        int end = MAX_CLOSE_REASON_BYTES;
        while ((utf8[end] & 0xC0) == 0x80) {
            end--; // utf8[end] continues a character that would not fit whole: cut before that character
        }
        return new String(utf8, 0, end, StandardCharsets.UTF_8);
    }
}
