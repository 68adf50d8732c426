package dev.recingest.gateway.ingest;

import dev.recingest.protocol.ChunkFrame;
import dev.recingest.protocol.ErrorCode;
import dev.recingest.protocol.IngestException;
import dev.recingest.protocol.Json;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.util.List;

/**
 * The decoder stage of an ingest connection: a whole WebSocket frame (after the aggregator) becomes an
 * {@link IngestFrame}. A binary frame is a chunk frame: a 9-byte header (kind, seq) and a non-empty payload
 * (PROTOCOL.md, "Chunk frames"); a text frame is a control message, strict UTF-8 JSON within the text limit.
 * A frame that breaks the protocol is passed on as {@link IngestFrame.Invalid}, never thrown, so the handler
 * decides, by its phase, what to answer (a closing connection answers nothing). Stateless and shared.
 */
@Sharable
public final class IngestFrameDecoder extends MessageToMessageDecoder<WebSocketFrame> {

    private final int maxTextBytes;

    public IngestFrameDecoder(int maxTextBytes) {
        this.maxTextBytes = maxTextBytes;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, WebSocketFrame frame, List<Object> out) {
        try {
            if (frame instanceof BinaryWebSocketFrame) {
                out.add(chunk(frame.content()));
            } else if (frame instanceof TextWebSocketFrame) {
                out.add(new IngestFrame.Control(Json.readMessage(ControlText.decode(text(frame.content())))));
            } else {
                out.add(new IngestFrame.Invalid(new IngestException(ErrorCode.BAD_REQUEST, "unexpected frame type"), false));
            }
        } catch (IngestException e) {
            out.add(new IngestFrame.Invalid(e, frame instanceof BinaryWebSocketFrame));
        }
    }

    private ByteBuf text(ByteBuf content) {
        if (content.readableBytes() > maxTextBytes) {
            throw new IngestException(ErrorCode.FRAME_TOO_BIG, "control message over " + maxTextBytes + " bytes");
        }
        return content;
    }

    private static IngestFrame.Chunk chunk(ByteBuf content) {
        int length = content.readableBytes();
        if (length < ChunkFrame.HEADER_BYTES) {
            throw new IngestException(ErrorCode.BAD_REQUEST, "truncated chunk header: " + length + " bytes");
        }
        int at = content.readerIndex();
        if (content.getByte(at) != ChunkFrame.KIND_CHUNK) {
            throw new IngestException(ErrorCode.BAD_REQUEST, "unknown frame kind " + content.getByte(at));
        }
        long seq = content.getLong(at + 1);
        if (seq < ChunkFrame.AUTO_SEQ) {
            throw new IngestException(ErrorCode.BAD_REQUEST, "seq must be -1 or a chunk number from 0");
        }
        if (length == ChunkFrame.HEADER_BYTES) {
            throw new IngestException(ErrorCode.BAD_REQUEST, "empty chunk payload");
        }
        // The frame is released after this call; the chunk holds a reference of its own to the payload.
        return new IngestFrame.Chunk(seq, content.retainedSlice(at + ChunkFrame.HEADER_BYTES, length - ChunkFrame.HEADER_BYTES));
    }
}
