package dev.recingest.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recingest.protocol.CloseCodes;
import dev.recingest.protocol.Json;
import dev.recingest.protocol.Message;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** RawWebSocket sends what it is given and reports exactly what comes back (against {@link FakeGateway}). */
@Timeout(90)
class RawWebSocketTest extends WithFakeGateway {

    /** Generous: the machine running the suite may be busy (2 MiB sent to the fake gateway under load took > 5 s). */
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void chunkBeforeStartIsAnsweredAndClosed() throws Exception {
        try (RawWebSocket ws = RawWebSocket.connect(gateway.uri(), "tok")) {
            ws.sendChunk(0, new byte[]{1, 2, 3}).join();
            Message.Error e = ws.expect(Message.Error.class, WAIT);
            assertEquals("BAD_REQUEST", e.code());
            assertEquals("chunk before start", e.message());
            CloseStatus close = ws.awaitClose(WAIT);
            assertEquals(CloseCodes.PROTOCOL_VIOLATION, close.code());
            assertEquals("protocol violation", close.reason());
        }
        assertEquals("Bearer tok", gateway.authorizations.get(0));
    }

    @Test
    void invalidJsonAndUnknownTypeAreBadRequests() throws Exception {
        for (String text : new String[]{"{not json", "{\"type\":\"dance\"}"}) {
            try (RawWebSocket ws = RawWebSocket.connect(gateway.uri(), Map.of(), WAIT)) {
                ws.sendText(text).join();
                assertEquals("BAD_REQUEST", ws.expect(Message.Error.class, WAIT).code());
                assertEquals(CloseCodes.PROTOCOL_VIOLATION, ws.awaitClose(WAIT).code());
            }
        }
    }

    @Test
    void oversizeFrameGets1009() throws Exception {
        try (RawWebSocket ws = RawWebSocket.connect(gateway.uri(), null)) {
            ws.sendMessage(new Message.Start("raw-big", "video/webm", "stream", null, null)).join();
            assertEquals("raw-big", ws.expect(Message.Started.class, WAIT).recordingId());
            ws.sendBinary(ByteBuffer.allocate(2 << 20).put(0, (byte) 1));
            assertEquals(CloseCodes.MESSAGE_TOO_BIG, ws.awaitClose(WAIT).code());
        }
    }

    @Test
    void fullConversationByHand() throws Exception {
        try (RawWebSocket ws = RawWebSocket.connect(gateway.uri(), null)) {
            ws.sendText("{\"type\":\"start\",\"recordingId\":\"raw-1\",\"contentType\":\"video/mp2t\","
                    + "\"mode\":\"segments\",\"extra\":true}");
            ws.sendChunk(0, new byte[]{9});
            ws.sendChunk(2, new byte[]{9});
            ws.sendMessage(new Message.Abort());
            assertEquals(0, ws.expect(Message.Started.class, WAIT).nextSeq());
            assertEquals(0, ws.expect(Message.Ack.class, WAIT).index());
            Message.Error gap = ws.expect(Message.Error.class, WAIT);
            assertEquals("SEQ_GAP", gap.code());
            assertEquals(1L, gap.expected());
            assertInstanceOf(Message.Aborted.class, ws.nextMessage(WAIT));
            assertEquals(CloseCodes.NORMAL, ws.awaitClose(WAIT).code());
        }
        assertTrue(gateway.texts.contains("{\"type\":\"abort\"}"), gateway.texts.toString());
        assertEquals("{\"type\":\"stop\",\"lastSeq\":4}", Json.write(new Message.Stop(4L)));
    }
}
