package dev.recingest.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recingest.auth.Tokens;
import dev.recingest.protocol.ChunkFrame;
import dev.recingest.protocol.CloseCodes;
import dev.recingest.protocol.RecordingId;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Bad input gets its exact error and close code, and loses nothing already stored. */
class HostileInputIT extends OnDefaultGateway {

    private static final AtomicInteger IDS = new AtomicInteger();

    /** Opens a started recording, runs {@code bad} on it, and checks the error code and close code. */
    private static void startedThen(Consumer<TestSocket> bad, String errorCode, int closeCode) {
        String id = "hostile-" + IDS.incrementAndGet();
        try (TestSocket s = h.open(id)) {
            IngestProtocolIT.start(s, id, 0L);
            s.sendChunk(0, new byte[] {1, 2, 3});
            s.next("ack");
            bad.accept(s);
            expectClose(s, errorCode, closeCode);
        }
        // What was stored before the bad input is still there.
        assertEquals(1, h.s3.listChunks(RecordingId.of(id)).join().size());
    }

    private static void expectClose(TestSocket s, String errorCode, int closeCode) {
        if (errorCode != null) {
            JsonNode err = s.next("error");
            assertEquals(errorCode, err.get("code").asText(), err.toString());
            assertTrue(err.get("message").asText().length() > 0);
        }
        assertEquals(closeCode, s.awaitClose().code());
    }

    @Test
    void chunkBeforeStart() {
        try (TestSocket s = h.open("x")) {
            s.sendChunk(0, new byte[] {1});
            expectClose(s, "BAD_REQUEST", CloseCodes.PROTOCOL_VIOLATION);
        }
    }

    @Test
    void unknownFrameKind() {
        startedThen(s -> s.sendBinary(ByteBuffer.wrap(new byte[] {0x02, 0, 0, 0, 0, 0, 0, 0, 1, 9})),
                "BAD_REQUEST", CloseCodes.PROTOCOL_VIOLATION);
    }

    @Test
    void truncatedHeader() {
        startedThen(s -> s.sendBinary(ByteBuffer.wrap(new byte[] {0x01, 0, 0, 0})), "BAD_REQUEST",
                CloseCodes.PROTOCOL_VIOLATION);
    }

    @Test
    void emptyPayload() {
        startedThen(s -> s.sendBinary(ChunkFrame.encode(1, new byte[0])), "BAD_REQUEST", CloseCodes.PROTOCOL_VIOLATION);
    }

    @Test
    void negativeSeqOtherThanMinusOne() {
        startedThen(s -> s.sendChunk(-5, new byte[] {1}), "BAD_REQUEST", CloseCodes.PROTOCOL_VIOLATION);
    }

    /**
     * The harness's max chunk is 1 MiB; the frame decoder refuses the frame before reading its payload.
     * Repeated because the close used to race the unread rest of the frame (a reset instead of 1009).
     */
    @RepeatedTest(10)
    void chunkOverTheMaxSize() {
        startedThen(s -> s.sendChunk(1, new byte[3 << 20]), null, CloseCodes.MESSAGE_TOO_BIG);
    }

    @Test
    void textFrameOver64KiB() {
        startedThen(s -> s.sendText("{\"type\":\"stop\",\"pad\":\"" + "x".repeat(70_000) + "\"}"), "FRAME_TOO_BIG",
                CloseCodes.MESSAGE_TOO_BIG);
    }

    @Test
    void invalidJson() {
        startedThen(s -> s.sendText("{\"type\":\"stop\""), "BAD_REQUEST", CloseCodes.PROTOCOL_VIOLATION);
    }

    @Test
    void unknownType() {
        startedThen(s -> s.sendText("{\"type\":\"pause\"}"), "BAD_REQUEST", CloseCodes.PROTOCOL_VIOLATION);
    }

    @Test
    void aGatewayMessageTypeFromTheClient() {
        startedThen(s -> s.sendText("{\"type\":\"ack\",\"seq\":0,\"index\":0,\"size\":1}"), "BAD_REQUEST",
                CloseCodes.PROTOCOL_VIOLATION);
    }

    @Test
    void startTwice() {
        startedThen(s -> s.sendText("{\"type\":\"start\",\"recordingId\":\"other\",\"contentType\":\"video/webm\"}"),
                "BAD_REQUEST", CloseCodes.PROTOCOL_VIOLATION);
    }

    @Test
    void mixingSeqModes() {
        startedThen(s -> s.sendChunk(-1, new byte[] {4}), "BAD_REQUEST", CloseCodes.PROTOCOL_VIOLATION);
    }

    @Test
    void chunkWhileAStopAwaitsItsAnswer() {
        String id = "hostile-" + IDS.incrementAndGet();
        try (TestSocket s = h.open(id)) {
            IngestProtocolIT.start(s, id, 0L);
            s.sendChunk(0, new byte[] {1});
            s.next("ack");
            s.sendText("{\"type\":\"stop\"}");
            s.sendChunk(1, new byte[] {2});
            // Either the stop was answered first (then the chunk arrives on a closing connection) or the
            // chunk is a protocol violation; in both cases nothing after the stop is stored.
            JsonNode first = s.next();
            if (first.get("type").asText().equals("error")) {
                assertEquals("BAD_REQUEST", first.get("code").asText());
                assertEquals(CloseCodes.PROTOCOL_VIOLATION, s.awaitClose().code());
            } else {
                assertEquals("stopped", first.get("type").asText());
            }
        }
        assertEquals(1, h.s3.listChunks(RecordingId.of(id)).join().size());
    }

    @ParameterizedTest
    @ValueSource(strings = {"../escape", "a/b", "with space", "dot.dot", "{tag}", ""})
    void recordingIdsThatCouldEscapeTheirPrefixAreRefused(String id) {
        try (TestSocket s = TestSocket.open(h.ingestUri(), h.tokens.issueForPrefix("t", "", Duration.ofMinutes(1)))) {
            s.sendText("{\"type\":\"start\",\"recordingId\":\"" + id + "\",\"contentType\":\"video/webm\"}");
            expectClose(s, "BAD_REQUEST", CloseCodes.PROTOCOL_VIOLATION);
        }
    }

    @Test
    void aRecordingIdOf129CharactersIsRefused() {
        recordingIdsThatCouldEscapeTheirPrefixAreRefused("a".repeat(129));
    }

    @Test
    void missingToken() {
        try (TestSocket s = TestSocket.open(h.ingestUri(), null)) {
            s.sendText("{\"type\":\"start\",\"recordingId\":\"r1\",\"contentType\":\"video/webm\"}");
            expectClose(s, "UNAUTHORIZED", CloseCodes.UNAUTHORIZED);
        }
    }

    @Test
    void expiredToken() {
        String expired = h.tokens.issueForRecording("t", "r1", Duration.ofMinutes(-5));
        try (TestSocket s = TestSocket.open(h.ingestUri(), expired)) {
            s.sendText("{\"type\":\"start\",\"recordingId\":\"r1\",\"contentType\":\"video/webm\"}");
            expectClose(s, "UNAUTHORIZED", CloseCodes.UNAUTHORIZED);
        }
    }

    @Test
    void badSignature() {
        String forged = new Tokens("another-secret-another-secret-another").issueForRecording("t", "r1",
                Duration.ofMinutes(5));
        try (TestSocket s = TestSocket.open(h.ingestUri(), null)) {
            s.sendText("{\"type\":\"start\",\"recordingId\":\"r1\",\"contentType\":\"video/webm\",\"token\":\""
                    + forged + "\"}");
            expectClose(s, "UNAUTHORIZED", CloseCodes.UNAUTHORIZED);
        }
    }

    @Test
    void tokenForAnotherRecording() {
        try (TestSocket s = TestSocket.open(h.ingestUri(), h.token("r1"))) {
            s.sendText("{\"type\":\"start\",\"recordingId\":\"r2\",\"contentType\":\"video/webm\"}");
            expectClose(s, "FORBIDDEN", CloseCodes.FORBIDDEN);
        }
    }

    @Test
    void aTokenInStartWorksForBrowsers() {
        try (TestSocket s = TestSocket.open(h.ingestUri(), null)) {
            s.sendText("{\"type\":\"start\",\"recordingId\":\"browser-1\",\"contentType\":\"video/webm\",\"token\":\""
                    + h.token("browser-1") + "\"}");
            assertEquals("browser-1", s.next("started").get("recordingId").asText());
        }
    }

    @Test
    void aPrefixTokenWithoutIdGetsAGeneratedIdUnderThePrefix() {
        try (TestSocket s = TestSocket.open(h.ingestUri(), h.tokens.issueForPrefix("t", "room7-", Duration.ofMinutes(1)))) {
            s.sendText("{\"type\":\"start\",\"contentType\":\"video/webm\"}");
            assertTrue(s.next("started").get("recordingId").asText().startsWith("room7-"));
        }
    }

    @Test
    void missingContentType() {
        try (TestSocket s = h.open("r3")) {
            s.sendText("{\"type\":\"start\",\"recordingId\":\"r3\"}");
            expectClose(s, "BAD_REQUEST", CloseCodes.PROTOCOL_VIOLATION);
        }
    }

    @Test
    void metadataOver4KiB() {
        try (TestSocket s = h.open("r4")) {
            s.sendText("{\"type\":\"start\",\"recordingId\":\"r4\",\"contentType\":\"video/webm\",\"metadata\":{\"x\":\""
                    + "y".repeat(5000) + "\"}}");
            expectClose(s, "BAD_REQUEST", CloseCodes.PROTOCOL_VIOLATION);
        }
    }

    @Test
    void aWrongPathIsNotAWebSocket() {
        var ex = org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.CompletionException.class,
                () -> TestSocket.open(URI.create("ws://127.0.0.1:" + h.gateway.port() + "/v2/other"), null));
        assertTrue(String.valueOf(ex.getCause()).contains("404") || ex.getCause() instanceof java.io.IOException,
                String.valueOf(ex.getCause()));
    }

    @Test
    void aChunkAfterStoppedIsNotStored() {
        String id = "hostile-" + IDS.incrementAndGet();
        try (TestSocket s = h.open(id)) {
            IngestProtocolIT.start(s, id, 0L);
            s.sendChunk(0, new byte[] {1});
            s.next("ack");
            s.sendText("{\"type\":\"stop\"}");
            assertEquals(1, s.next("stopped").get("chunks").asLong());
            s.sendChunk(1, new byte[] {2});
            assertEquals(CloseCodes.NORMAL, s.awaitClose().code());
        }
        assertEquals(1, h.s3.listChunks(RecordingId.of(id)).join().size());
        // And a new connection cannot write it either: start says it is stopped.
        try (TestSocket s = h.open(id)) {
            s.sendText("{\"type\":\"start\",\"recordingId\":\"" + id + "\",\"contentType\":\"video/webm\"}");
            JsonNode err = s.next("error");
            assertEquals("NOT_OPEN", err.get("code").asText());
            assertEquals("STOPPED", err.get("state").asText());
            assertEquals(CloseCodes.NOT_OPEN, s.awaitClose().code());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"[1,2]", "[{\"type\":\"stop\"}]", "\"stop\"", "42", "null", "true", "{}",
            "{\"type\":null}", "{\"type\":7}", "{\"type\":\"stop\",\"lastSeq\":\"x\"}", "{\"type\":\"stop\"} {}"})
    void controlMessagesThatAreNotAValidObjectAreProtocolErrors(String text) {
        startedThen(s -> s.sendText(text), "BAD_REQUEST", CloseCodes.PROTOCOL_VIOLATION);
    }

    @ParameterizedTest
    @ValueSource(strings = {"7bc3287d", "7beda0807d", "7bc0af7d", "7bff7d", "7b22e282",
            // {"type":"stop","x":"<0xff>"}: a valid message but for one byte
            "7b2274797065223a2273746f70222c2278223a22ff227d"})
    void aTextFrameWithInvalidUtf8IsAProtocolError(String hex) throws Exception {
        String id = "hostile-" + IDS.incrementAndGet();
        try (WireSocket w = startedOnTheWire(id)) {
            w.frame(true, 0, WireSocket.TEXT, java.util.HexFormat.of().parseHex(hex));
            WireSocket.Frame f = w.read();
            assertEquals(WireSocket.TEXT, f.opcode());
            JsonNode err = dev.recingest.protocol.Json.MAPPER.readTree(f.text());
            assertEquals("BAD_REQUEST", err.get("code").asText(), f.text());
            assertTrue(err.get("message").asText().contains("UTF-8"), f.text());
            assertEquals(CloseCodes.PROTOCOL_VIOLATION, w.awaitClose());
        }
    }

    @Test
    void permessageDeflateIsNotNegotiatedAndACompressedFrameIsRefused() throws Exception {
        try (WireSocket w = WireSocket.connect(h.gateway.port())) {
            String head = w.upgrade("/v1/ingest", Map.of("Authorization", "Bearer " + h.token("deflate-1"),
                    "Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits"));
            assertTrue(head.startsWith("HTTP/1.1 101"), head);
            assertFalse(head.toLowerCase(java.util.Locale.ROOT).contains("sec-websocket-extensions"), head);
            w.frame(true, 4, WireSocket.TEXT, "{\"type\":\"abort\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            assertEquals(1002, w.awaitClose(), "RSV1 without a negotiated extension is a WebSocket protocol error");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"type\":\"stop\"}", "{\"type\":\"abort\"}", "{\"type\":\"stop\",\"lastSeq\":0}"})
    void stopOrAbortBeforeStartIsAProtocolError(String text) {
        try (TestSocket s = h.open("x")) {
            s.sendText(text);
            expectClose(s, "BAD_REQUEST", CloseCodes.PROTOCOL_VIOLATION);
        }
    }

    @Test
    void stopWithALastSeqBelowTheLastAssignedIsAProtocolErrorAndTheRecordingStaysOpen() {
        String id = "hostile-" + IDS.incrementAndGet();
        try (TestSocket s = h.open(id)) {
            IngestProtocolIT.start(s, id, 0L);
            for (long seq = 0; seq < 3; seq++) {
                s.sendChunk(seq, new byte[] {(byte) seq});
                s.next("ack");
            }
            s.sendText("{\"type\":\"stop\",\"lastSeq\":1}");
            expectClose(s, "BAD_REQUEST", CloseCodes.PROTOCOL_VIOLATION);
        }
        assertEquals(dev.recingest.state.RecordingState.RECORDING,
                h.store.get(RecordingId.of(id)).join().orElseThrow().state());
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"mode\":\"live\"", "\"mode\":1", "\"metadata\":[1]", "\"metadata\":\"text\"",
            "\"contentType\":\"not a mime type\"", "\"contentType\":\"video/webm\\r\\nX: y\"",
            "\"contentType\":\"video/webm\\r\\n; codecs=vp8\"", "\"contentType\":\"video/webm\\n;x=1\"",
            "\"contentType\":\"video/webm\\u000b;x=1\"", "\"contentType\":\"video/webm;x=\\r\\nX-Injected: 1\""})
    void invalidStartFieldsAreProtocolErrors(String field) {
        String id = "hostile-" + IDS.incrementAndGet();
        try (TestSocket s = h.open(id)) {
            s.sendText("{\"type\":\"start\",\"recordingId\":\"" + id + "\",\"contentType\":\"video/webm\"," + field + "}");
            expectClose(s, "BAD_REQUEST", CloseCodes.PROTOCOL_VIOLATION);
        }
        assertTrue(h.store.get(RecordingId.of(id)).join().isEmpty(), "nothing was created");
    }

    @Test
    void anUnsignedTokenIsRefused() {
        String payload = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                ("{\"rec\":\"r1\",\"exp\":" + (System.currentTimeMillis() / 1000 + 600) + "}")
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        String none = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0." + payload + ".";
        try (TestSocket s = TestSocket.open(h.ingestUri(), none)) {
            s.sendText("{\"type\":\"start\",\"recordingId\":\"r1\",\"contentType\":\"video/webm\"}");
            expectClose(s, "UNAUTHORIZED", CloseCodes.UNAUTHORIZED);
        }
    }

    @Test
    void aTokenWithoutExpiryIsRefused() {
        String noExp = com.auth0.jwt.JWT.create().withClaim("rec", "r1")
                .sign(com.auth0.jwt.algorithms.Algorithm.HMAC256(GatewayHarness.SECRET));
        try (TestSocket s = TestSocket.open(h.ingestUri(), noExp)) {
            s.sendText("{\"type\":\"start\",\"recordingId\":\"r1\",\"contentType\":\"video/webm\"}");
            expectClose(s, "UNAUTHORIZED", CloseCodes.UNAUTHORIZED);
        }
    }

    @Test
    void aPrefixTokenDoesNotCoverAnotherPrefix() {
        try (TestSocket s = TestSocket.open(h.ingestUri(), h.tokens.issueForPrefix("t", "room7-", Duration.ofMinutes(1)))) {
            s.sendText("{\"type\":\"start\",\"recordingId\":\"room8-cam\",\"contentType\":\"video/webm\"}");
            expectClose(s, "FORBIDDEN", CloseCodes.FORBIDDEN);
        }
    }

    /** {@code tenant1} is one tenant's prefix; {@code tenant10} is another tenant. */
    @Test
    void aPrefixCoversWholeSegmentsOfAnIdOnly() {
        String token = h.tokens.issueForPrefix("t", "tenant1", Duration.ofMinutes(1));
        try (TestSocket s = TestSocket.open(h.ingestUri(), token)) {
            s.sendText("{\"type\":\"start\",\"recordingId\":\"tenant10-cam\",\"contentType\":\"video/webm\"}");
            expectClose(s, "FORBIDDEN", CloseCodes.FORBIDDEN);
        }
        for (String id : new String[] {"tenant1-cam", "tenant1_cam", "tenant1"}) {
            try (TestSocket s = TestSocket.open(h.ingestUri(), token)) {
                s.sendText("{\"type\":\"start\",\"recordingId\":\"" + id + "\",\"contentType\":\"video/webm\"}");
                assertEquals(id, s.next("started").get("recordingId").asText());
            }
        }
    }

    @Test
    void aPrefixWithoutASeparatorGetsAGeneratedIdInItsOwnSegment() {
        try (TestSocket s = TestSocket.open(h.ingestUri(), h.tokens.issueForPrefix("t", "tenant2", Duration.ofMinutes(1)))) {
            s.sendText("{\"type\":\"start\",\"contentType\":\"video/webm\"}");
            assertTrue(s.next("started").get("recordingId").asText().startsWith("tenant2-rec-"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"..%2F..%2Fetc", "a%2Fb", "%7Btag%7D", "with%20space", "dot.dot", "%2E%2E",
            "a%00b", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"})
    void theAdminApiRefusesIdsThatCouldEscapeTheirPrefix(String encodedId) throws Exception {
        var http = java.net.http.HttpClient.newHttpClient();
        var response = http.send(java.net.http.HttpRequest.newBuilder(h.httpUri("/v1/recordings/" + encodedId))
                .header("Authorization", "Bearer " + GatewayHarness.ADMIN).GET().build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertTrue(response.statusCode() == 400 || response.statusCode() == 404,
                encodedId + " -> " + response.statusCode() + " " + response.body());
        var output = http.send(java.net.http.HttpRequest.newBuilder(h.httpUri("/v1/recordings/" + encodedId + "/output"))
                .header("Authorization", "Bearer " + GatewayHarness.ADMIN).GET().build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertTrue(output.statusCode() == 400 || output.statusCode() == 404,
                encodedId + "/output -> " + output.statusCode() + " " + output.body());
    }

    /** An upgraded connection with no token and no start, on a hand-written WebSocket. */
    private static WireSocket upgradedWithoutToken() throws Exception {
        WireSocket w = WireSocket.connect(h.gateway.port());
        String head = w.upgrade("/v1/ingest", Map.of());
        assertTrue(head.startsWith("HTTP/1.1 101"), head);
        return w;
    }

    /** The gateway's next frames are an error with {@code code}, then a close with {@code closeCode}. */
    private static String expectErrorAndClose(WireSocket w, String code, int closeCode) throws Exception {
        WireSocket.Frame f = w.read();
        assertEquals(WireSocket.TEXT, f.opcode(), "an error message first");
        JsonNode err = dev.recingest.protocol.Json.MAPPER.readTree(f.text());
        assertEquals(code, err.get("code").asText(), f.text());
        assertEquals(closeCode, w.awaitClose());
        return err.get("message").asText();
    }

    /**
     * 64 sockets without a token that each announce an 8 MiB chunk and trickle it used to pin 480 MiB of
     * a gateway's memory: the frame was only judged once all of it had arrived. It is refused at its header.
     */
    @Test
    void aChunkFrameBeforeStartIsRefusedAtItsHeaderBeforeItsPayloadArrives() throws Exception {
        try (WireSocket w = upgradedWithoutToken()) {
            w.header(true, WireSocket.BINARY, 1 << 20); // the harness's max chunk: a size the decoder itself takes
            w.raw(new byte[] {1, 0, 0, 0, 0, 0, 0, 0, 0, 42});
            assertEquals("chunk before start", expectErrorAndClose(w, "BAD_REQUEST", CloseCodes.PROTOCOL_VIOLATION));
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aTextFrameOverTheLimitIsRefusedAtItsHeader(boolean afterStart) throws Exception {
        String id = "hostile-" + IDS.incrementAndGet();
        try (WireSocket w = afterStart ? startedOnTheWire(id) : upgradedWithoutToken()) {
            w.header(true, WireSocket.TEXT, 100 << 10);
            w.raw("{\"type\":\"stop\",\"pad\":\"".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            String message = expectErrorAndClose(w, "FRAME_TOO_BIG", CloseCodes.MESSAGE_TOO_BIG);
            assertTrue(message.contains("65536"), message);
        }
    }

    @Test
    void aFragmentedTextMessageIsRefusedAtTheFrameThatTakesItOverTheLimit() throws Exception {
        String id = "hostile-" + IDS.incrementAndGet();
        try (WireSocket w = startedOnTheWire(id)) {
            byte[] first = ("{\"type\":\"stop\",\"pad\":\"" + "x".repeat(40 << 10)).getBytes(java.nio.charset.StandardCharsets.UTF_8);
            w.frame(false, 0, WireSocket.TEXT, first);
            w.header(true, WireSocket.CONTINUATION, 40 << 10);
            w.raw("xxxx".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            expectErrorAndClose(w, "FRAME_TOO_BIG", CloseCodes.MESSAGE_TOO_BIG);
        }
    }

    @Test
    void aCloseReasonIsCutToWhatACloseFrameCarriesInUtf8() throws Exception {
        // An unknown type is echoed in the error message, which is also the close reason.
        String id = "hostile-" + IDS.incrementAndGet();
        try (WireSocket w = startedOnTheWire(id)) {
            w.text("{\"type\":\"" + "\u00e9".repeat(120) + "\"}");
            WireSocket.Frame err = w.read();
            assertTrue(err.text().contains("BAD_REQUEST"), err.text());
            WireSocket.Frame close;
            while ((close = w.read()).opcode() != WireSocket.CLOSE) {
                // a ping, perhaps
            }
            assertTrue(close.payload().length <= 125, "a close frame's payload is at most 125 bytes, was "
                    + close.payload().length);
            assertEquals(CloseCodes.PROTOCOL_VIOLATION, close.closeCode());
            java.nio.charset.StandardCharsets.UTF_8.newDecoder().decode(
                    java.nio.ByteBuffer.wrap(close.payload(), 2, close.payload().length - 2)); // valid UTF-8, or throws
        }
    }

    /** A started recording on a hand-written WebSocket, for frames the JDK client will not send. */
    private static WireSocket startedOnTheWire(String id) throws Exception {
        WireSocket w = WireSocket.connect(h.gateway.port());
        String head = w.upgrade("/v1/ingest", Map.of("Authorization", "Bearer " + h.token(id)));
        assertTrue(head.startsWith("HTTP/1.1 101"), head);
        w.text("{\"type\":\"start\",\"recordingId\":\"" + id + "\",\"contentType\":\"video/webm\"}");
        WireSocket.Frame started = w.read();
        assertTrue(started.text().contains("\"started\""), started.text());
        return w;
    }
}
