package dev.recingest.gateway.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recingest.protocol.ChunkFrame;
import dev.recingest.protocol.ErrorCode;
import dev.recingest.protocol.Message;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The decoder stage: each WebSocket frame becomes one {@link IngestFrame}, a frame that breaks the protocol an
 * {@link IngestFrame.Invalid} (never an exception), and a chunk's payload is handed on with one reference: the
 * frame is released, the chunk holds the payload until it is released.
 */
class IngestFrameDecoderTest {

    private static final int TEXT_LIMIT = 1024;

    private static IngestFrame decode(Object frame) {
        EmbeddedChannel ch = new EmbeddedChannel(new IngestFrameDecoder(TEXT_LIMIT));
        ch.writeInbound(frame);
        IngestFrame out = ch.readInbound();
        assertNull(ch.readInbound(), "one frame in, one out");
        ch.finishAndReleaseAll();
        return out;
    }

    private static BinaryWebSocketFrame binary(byte[] bytes) {
        return new BinaryWebSocketFrame(Unpooled.wrappedBuffer(bytes));
    }

    private static ErrorCode invalid(IngestFrame f, boolean chunk) {
        IngestFrame.Invalid bad = assertInstanceOf(IngestFrame.Invalid.class, f);
        assertEquals(chunk, bad.chunk());
        return bad.error().code();
    }

    @Test
    void aChunkFrameBecomesItsSeqAndPayloadAndTheFrameIsReleased() {
        BinaryWebSocketFrame frame = binary(ChunkFrame.encode(41, "media".getBytes(StandardCharsets.UTF_8)).array());
        IngestFrame.Chunk chunk = assertInstanceOf(IngestFrame.Chunk.class, decode(frame.retain()));
        assertEquals(41, chunk.seq());
        assertEquals("media", chunk.content().toString(StandardCharsets.UTF_8));
        // The test's own reference (retained above) and the chunk's: the decoder's reference to the frame is gone.
        assertEquals(2, frame.refCnt());
        assertFalse(chunk.release(), "the test still holds the memory");
        assertTrue(frame.release(), "nothing else holds the frame's memory");
    }

    @Test
    void anAutoSeqChunkIsAChunk() {
        IngestFrame f = decode(binary(ChunkFrame.encode(ChunkFrame.AUTO_SEQ, new byte[] {1}).array()));
        IngestFrame.Chunk chunk = assertInstanceOf(IngestFrame.Chunk.class, f);
        assertEquals(ChunkFrame.AUTO_SEQ, chunk.seq());
        chunk.release();
    }

    @Test
    void aBrokenChunkFrameIsPassedOnAsInvalidNotThrown() {
        assertEquals(ErrorCode.BAD_REQUEST, invalid(decode(binary(new byte[] {ChunkFrame.KIND_CHUNK, 0, 0})), true));
        byte[] wrongKind = ChunkFrame.encode(0, new byte[] {1}).array();
        wrongKind[0] = 0x7f;
        assertEquals(ErrorCode.BAD_REQUEST, invalid(decode(binary(wrongKind)), true));
        assertEquals(ErrorCode.BAD_REQUEST, invalid(decode(binary(ChunkFrame.encode(-2, new byte[] {1}).array())), true));
        byte[] headerOnly = new byte[ChunkFrame.HEADER_BYTES];
        headerOnly[0] = ChunkFrame.KIND_CHUNK;
        assertEquals(ErrorCode.BAD_REQUEST, invalid(decode(binary(headerOnly)), true));
    }

    @Test
    void aControlMessageIsParsedAndAnOversizeOrBrokenOneIsInvalid() {
        IngestFrame.Control stop = assertInstanceOf(IngestFrame.Control.class,
                decode(new TextWebSocketFrame("{\"type\":\"stop\",\"lastSeq\":3}")));
        assertEquals(new Message.Stop(3L), stop.message());
        assertEquals(ErrorCode.FRAME_TOO_BIG, invalid(decode(new TextWebSocketFrame("x".repeat(TEXT_LIMIT + 1))), false));
        assertEquals(ErrorCode.BAD_REQUEST, invalid(decode(new TextWebSocketFrame("{not json")), false));
        ByteBuf notUtf8 = Unpooled.wrappedBuffer(new byte[] {'{', (byte) 0xc3, '}'});
        assertEquals(ErrorCode.BAD_REQUEST, invalid(decode(new TextWebSocketFrame(notUtf8)), false));
    }

    @Test
    void anyOtherFrameIsInvalid() {
        assertEquals(ErrorCode.BAD_REQUEST, invalid(decode(new PingWebSocketFrame()), false));
    }
}
