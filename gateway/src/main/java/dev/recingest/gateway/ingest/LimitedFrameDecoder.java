package dev.recingest.gateway.ingest;

import dev.recingest.protocol.IngestException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import java.util.List;

/**
 * Netty's WebSocket frame decoder, with {@link FrameLimits} asked at every frame's header, before the
 * decoder starts to gather its payload. Netty's decoder holds a frame's whole payload before it passes
 * the frame on, so a limit applied after it (to the frame, or to the message the aggregator builds) comes
 * too late: a client that announces 8 MiB and sends it a byte at a time holds 8 MiB of the gateway's
 * memory until its payload is done. Here such a frame is refused on sight.
 *
 * <p>The header is only peeked at; the parsing and every check of WebSocket framing itself stay Netty's.
 * A refusal goes to the connection's handler as a {@link ConnectionRefused} event (it answers with the
 * error and the close code), and everything the client sends after it is discarded.
 */
final class LimitedFrameDecoder extends WebSocket13FrameDecoder {

    private static final int CLOSE = 0x8;

    private final FrameLimits limits;
    /** True between frames, where the next bytes are a header this decoder has not checked yet. */
    private boolean atHeader = true;
    private int opcode;
    private boolean fin;
    private long length;
    private boolean wholeFrameHere;
    private boolean refused;
    private boolean closeReceived;

    LimitedFrameDecoder(WebSocketDecoderConfig config, FrameLimits limits) {
        super(config);
        this.limits = limits;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        if (refused || !ctx.channel().isActive()) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (atHeader && !closeReceived) {
            if (!peekHeader(in)) {
                return; // at most 14 bytes wait here for the rest of the header
            }
            IngestException refusal = length < 0 ? null // Netty's decoder refuses it (1002)
                    : limits.check(opcode, fin, length, wholeFrameHere, System.nanoTime());
            if (refusal != null) {
                refused = true;
                in.skipBytes(in.readableBytes());
                ctx.fireUserEventTriggered(new ConnectionRefused(refusal));
                return;
            }
            atHeader = false;
            closeReceived = opcode == CLOSE;
        }
        int before = out.size();
        super.decode(ctx, in, out);
        if (out.size() > before) {
            atHeader = true;
            limits.decoded(opcode, fin);
        }
    }

    /** Reads the next frame's header into the fields, without consuming it; false if it is not all here. */
    private boolean peekHeader(ByteBuf in) {
        int at = in.readerIndex();
        int readable = in.readableBytes();
        if (readable < 2) {
            return false;
        }
        int b0 = in.getUnsignedByte(at);
        int b1 = in.getUnsignedByte(at + 1);
        int len7 = b1 & 0x7f;
        int lengthBytes = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
        int headerBytes = 2 + lengthBytes + ((b1 & 0x80) != 0 ? 4 : 0);
        if (readable < headerBytes) {
            return false;
        }
        opcode = b0 & 0x0f;
        fin = (b0 & 0x80) != 0;
        length = len7 == 126 ? in.getUnsignedShort(at + 2) : len7 == 127 ? in.getLong(at + 2) : len7;
        wholeFrameHere = readable - headerBytes >= length;
        return true;
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) throws Exception {
        limits.release();
        super.handlerRemoved0(ctx);
    }
}
