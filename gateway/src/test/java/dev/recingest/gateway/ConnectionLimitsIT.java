package dev.recingest.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recingest.protocol.CloseCodes;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.RecordingKeys;
import dev.recingest.state.RecordingState;
import dev.recingest.testkit.Waits;
import io.lettuce.core.Range;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every per-connection limit with its exact close code, on a gateway with small limits: chunk rate,
 * control message rate, ping rate, connections per gateway, the request deadline, the start deadline, the
 * bytes held for clients that have not started, pings and the idle timeout; and the janitor's auto-stop as
 * an open connection sees it.
 */
class ConnectionLimitsIT {

    private static final int MAX_CONNECTIONS = 8;
    private static final long IDLE_MILLIS = 2000;
    /** Below the idle timeout, so that the start deadline, not the idle timeout, closes a client that stays silent. */
    private static final long START_TIMEOUT_MILLIS = 1500;

    @TempDir
    static Path dir;
    static GatewayHarness h;

    @BeforeAll
    static void up() {
        h = new GatewayHarness(dir, Map.ofEntries(
                Map.entry("RECINGEST_MAX_CHUNKS_PER_SECOND", "5"),
                Map.entry("RECINGEST_CHUNK_BURST", "10"),
                Map.entry("RECINGEST_MAX_CONNECTIONS", Integer.toString(MAX_CONNECTIONS)),
                Map.entry("RECINGEST_HANDSHAKE_TIMEOUT", "1000ms"),
                Map.entry("RECINGEST_IDLE_TIMEOUT", IDLE_MILLIS + "ms"),
                Map.entry("RECINGEST_PING_INTERVAL", "400ms"),
                Map.entry("RECINGEST_STALL_TIMEOUT", "1s"),
                Map.entry("RECINGEST_RECORDING_IDLE_TIMEOUT", "3s"),
                Map.entry("RECINGEST_JANITOR_INTERVAL", "200ms"),
                Map.entry("RECINGEST_START_TIMEOUT", START_TIMEOUT_MILLIS + "ms"),
                Map.entry("RECINGEST_MAX_CONTROL_PER_SECOND", "2"),
                Map.entry("RECINGEST_CONTROL_BURST", "10"),
                Map.entry("RECINGEST_PRE_START_BYTES", "64KiB")));
    }

    @AfterAll
    static void down() {
        h.close();
    }

    @Test
    void chunksOverTheRateAreRateLimitedAndClosed4429() throws Exception {
        String id = "rate-1";
        int acked = 0;
        try (TestSocket s = h.open(id)) {
            IngestProtocolIT.start(s, id, 0L);
            long seq = 0;
            // The burst (10) at once, then under the rate (5/s): nothing is refused.
            for (int i = 0; i < 10; i++) {
                s.sendChunk(seq++, new byte[] {(byte) i});
            }
            for (int i = 0; i < 10; i++) {
                s.next("ack");
                acked++;
            }
            Thread.sleep(1000);
            for (int i = 0; i < 4; i++) {
                s.sendChunk(seq++, new byte[] {(byte) i});
                s.next("ack");
                acked++;
            }
            // A flood: over the rate within a few frames.
            for (int i = 0; i < 100 && !s.isClosed(); i++) {
                s.sendChunk(seq++, new byte[] {(byte) i});
            }
            JsonNode m;
            while ((m = s.next()).get("type").asText().equals("ack")) {
                acked++;
            }
            assertEquals("error", m.get("type").asText(), m.toString());
            assertEquals("RATE_LIMITED", m.get("code").asText());
            assertTrue(m.get("message").asText().contains("5 chunks per second"), m.toString());
            assertEquals(CloseCodes.RATE_LIMITED, s.awaitClose().code());
        }
        // Acks of chunks still being stored when the error closed the connection are not sent.
        assertTrue(acked >= 14 && acked < 114, "acked " + acked);
        assertTrue(h.s3.listChunks(RecordingId.of(id)).join().size() >= acked, "every ack is a stored chunk");
    }

    @Test
    void connectionsOverTheLimitAreClosed4429() throws Exception {
        await(() -> h.metric("recingest_connections") == 0, "earlier connections to close");
        List<TestSocket> open = new ArrayList<>();
        try {
            for (int i = 0; i < MAX_CONNECTIONS; i++) {
                open.add(h.open("conn-" + i));
                IngestProtocolIT.start(open.get(i), "conn-" + i, 0L); // or the start deadline ends it meanwhile
            }
            await(() -> h.metric("recingest_connections") == MAX_CONNECTIONS, "all connections counted");
            try (TestSocket over = h.open("conn-over")) {
                JsonNode err = over.next("error");
                assertEquals("RATE_LIMITED", err.get("code").asText());
                assertEquals(CloseCodes.RATE_LIMITED, over.awaitClose().code());
            }
            // A freed place can be taken again, and the connections within the limit work.
            open.remove(0).close();
            await(() -> h.metric("recingest_connections") == MAX_CONNECTIONS - 1, "a connection to close");
            try (TestSocket again = h.open("conn-again")) {
                IngestProtocolIT.start(again, "conn-again", 0L);
            }
            open.get(0).sendChunk(0, new byte[] {1});
            assertEquals(0, open.get(0).next("ack").get("index").asLong());
            assertFalse(open.get(0).isClosed());
        } finally {
            open.forEach(TestSocket::close);
        }
    }

    @Test
    void aClientThatSendsNothingIsClosedByTheRequestDeadline() throws Exception {
        double before = h.metric("recingest_request_timeouts_total");
        try (WireSocket w = WireSocket.connect(h.gateway.port())) {
            assertTrue(w.closedWithin(20_000), "a silent connection is closed");
        }
        // The deadline (1 s) runs before the idle timeout (2 s) would: it is what closed the socket.
        await(() -> h.metric("recingest_request_timeouts_total") >= before + 1, "the request timeout to be counted");
    }

    @Test
    void halfAnUpgradeRequestSentAByteAtATimeIsClosed() throws Exception {
        // Every byte resets the reader idle timeout, so only the request deadline can end this.
        byte[] request = ("GET /v1/ingest HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nX-Pad: "
                + "x".repeat(400)).getBytes(StandardCharsets.US_ASCII);
        boolean closed = false;
        try (WireSocket w = WireSocket.connect(h.gateway.port())) {
            for (int i = 0; i < request.length && !closed; i++) {
                try {
                    w.raw(new byte[] {request[i]});
                } catch (java.io.IOException e) {
                    closed = true; // reset by the gateway
                    break;
                }
                closed = w.closedWithin(100);
            }
        }
        assertTrue(closed, "a client dripping half a request for ~40 s was never closed");
    }

    @Test
    void aKeptAliveHttpConnectionMustSendItsNextRequestInTime() throws Exception {
        double before = h.metric("recingest_request_timeouts_total");
        try (WireSocket w = WireSocket.connect(h.gateway.port())) {
            w.raw("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            // The answer, then the connection is closed once the deadline passes without another request.
            assertTrue(w.closedWithin(20_000));
        }
        await(() -> h.metric("recingest_request_timeouts_total") >= before + 1, "the request timeout to be counted");
    }

    @Test
    void aClientThatDoesNotAnswerPingsIsClosed4408() throws Exception {
        String id = "no-pong-1";
        try (WireSocket w = WireSocket.connect(h.gateway.port())) {
            String head = w.upgrade("/v1/ingest", Map.of("Authorization", "Bearer " + h.token(id)));
            assertTrue(head.startsWith("HTTP/1.1 101"), head);
            w.text("{\"type\":\"start\",\"recordingId\":\"" + id + "\",\"contentType\":\"video/webm\"}");
            WireSocket.Frame f;
            int pings = 0;
            // Read everything, answer nothing: pings come, then the close.
            while ((f = w.read()).opcode() != WireSocket.CLOSE) {
                if (f.opcode() == WireSocket.PING) {
                    pings++;
                } else {
                    assertTrue(f.text().contains("\"started\""), f.text());
                }
            }
            assertEquals(CloseCodes.IDLE_TIMEOUT, f.closeCode());
            assertTrue(pings >= 1, "the gateway pinged before giving up");
        }
    }

    @Test
    void aRecorderThatAnswersPingsStaysOpenPastTheIdleTimeout() throws Exception {
        String id = "pong-1";
        try (TestSocket s = h.open(id)) {
            IngestProtocolIT.start(s, id, 0L);
            // The JDK client answers pings by itself; it sends nothing else for three idle timeouts.
            Thread.sleep(3 * IDLE_MILLIS);
            assertFalse(s.isClosed(), "closed although it answered every ping");
            // Alive to answer: an ack, or (the janitor auto-stops a recording idle for 3 s) NOT_OPEN.
            s.sendChunk(0, new byte[] {7});
            JsonNode m = s.next();
            assertTrue("ack".equals(m.get("type").asText()) || "NOT_OPEN".equals(m.path("code").asText()), m.toString());
        }
    }

    /** Pongs used to keep a connection that never sent start (and so never showed a token) open for good. */
    @Test
    void aConnectionThatSendsNoStartIsClosed4408AlthoughItAnswersPings() {
        try (TestSocket s = TestSocket.open(h.ingestUri(), null)) {
            long t0 = System.nanoTime();
            JsonNode err = s.next("error");
            assertEquals("START_TIMEOUT", err.get("code").asText());
            assertTrue(err.get("message").asText().contains("no start within " + START_TIMEOUT_MILLIS + " ms"), err.toString());
            assertEquals(CloseCodes.IDLE_TIMEOUT, s.awaitClose().code());
            System.out.printf("start deadline: closed after %d ms (deadline %d ms)%n",
                    (System.nanoTime() - t0) / 1_000_000, START_TIMEOUT_MILLIS);
        }
    }

    /**
     * A stop whose lastSeq is too high is answered INCOMPLETE and the connection stays open, so it could be
     * sent in a loop, each one listing storage and running a script. The control message rate bounds it.
     */
    @Test
    void aLoopOfStopsIsRateLimited4429AndTheRecordingStaysOpen() {
        String id = "stop-loop-1";
        int incomplete = 0;
        try (TestSocket s = h.open(id)) {
            IngestProtocolIT.start(s, id, 0L);
            s.sendChunk(0, new byte[] {1});
            s.next("ack");
            JsonNode m;
            while (true) {
                s.sendText("{\"type\":\"stop\",\"lastSeq\":5}");
                m = s.next("error");
                if (!"INCOMPLETE".equals(m.get("code").asText())) {
                    break;
                }
                incomplete++;
                assertTrue(incomplete < 100, "never limited");
            }
            assertEquals("RATE_LIMITED", m.get("code").asText(), m.toString());
            assertTrue(m.get("message").asText().contains("control messages per second"), m.toString());
            assertEquals(CloseCodes.RATE_LIMITED, s.awaitClose().code());
        }
        // The burst (10) less the start, plus what the rate (2/s) refilled meanwhile.
        assertTrue(incomplete >= 9 && incomplete < 40, "stops answered before the limit: " + incomplete);
        assertEquals(RecordingState.RECORDING, h.store.get(RecordingId.of(id)).join().orElseThrow().state());
        assertEquals(1, h.s3.listChunks(RecordingId.of(id)).join().size());
    }

    @Test
    void aFloodOfPingsIsRateLimited4429() throws Exception {
        try (WireSocket w = WireSocket.connect(h.gateway.port())) {
            assertTrue(w.upgrade("/v1/ingest", Map.of()).startsWith("HTTP/1.1 101"));
            for (int i = 0; i < 100; i++) {
                w.frame(true, 0, WireSocket.PING, new byte[] {(byte) i});
            }
            WireSocket.Frame f;
            while ((f = w.read()).opcode() == WireSocket.PONG) {
                // the pings within the limit are answered
            }
            assertEquals(WireSocket.TEXT, f.opcode());
            assertTrue(f.text().contains("RATE_LIMITED") && f.text().contains("pings and pongs"), f.text());
            assertEquals(CloseCodes.RATE_LIMITED, w.awaitClose());
        }
    }

    /**
     * Clients without a token that each send half a start hold the gateway's memory until their deadline;
     * together they hold no more than RECINGEST_PRE_START_BYTES (64 KiB here), and the one that would go over
     * it is turned away at once.
     */
    @Test
    void halfSentStartsOfClientsWithoutATokenShareABoundedBudget() throws Exception {
        try (WireSocket first = WireSocket.connect(h.gateway.port());
             WireSocket second = WireSocket.connect(h.gateway.port())) {
            assertTrue(first.upgrade("/v1/ingest", Map.of()).startsWith("HTTP/1.1 101"));
            assertTrue(second.upgrade("/v1/ingest", Map.of()).startsWith("HTTP/1.1 101"));
            first.header(true, WireSocket.TEXT, 40 << 10);
            first.raw("{\"type\":\"start\"".getBytes(StandardCharsets.UTF_8));
            await(() -> h.metric("recingest_pre_start_bytes") == 40 << 10, "the first half start to be held");
            second.header(true, WireSocket.TEXT, 40 << 10);
            second.raw("{\"type\":\"start\"".getBytes(StandardCharsets.UTF_8));
            WireSocket.Frame err = second.readSkippingPings();
            assertTrue(err.text().contains("RATE_LIMITED"), err.text());
            assertEquals(CloseCodes.RATE_LIMITED, second.awaitClose());
            // The first is held until its start deadline, then closed; what it held is free again.
            WireSocket.Frame timeout = first.readSkippingPings();
            assertTrue(timeout.text().contains("START_TIMEOUT"), timeout.text());
            assertEquals(CloseCodes.IDLE_TIMEOUT, first.awaitClose());
        }
        await(() -> h.metric("recingest_pre_start_bytes") == 0, "the held bytes to be freed");
    }

    @Test
    void anIdleRecordingIsAutoStoppedAndItsOpenConnectionGets4409OnItsNextWrite() throws Exception {
        String id = "auto-stop-1";
        try (TestSocket s = h.open(id)) {
            IngestProtocolIT.start(s, id, 0L);
            s.sendChunk(0, new byte[] {1, 2});
            s.next("ack");
            // No chunk for the recording idle timeout (3 s): the janitor stops it; pongs keep the socket open.
            await(() -> h.store.get(RecordingId.of(id)).join().orElseThrow().state() == RecordingState.STOPPED,
                    "the janitor to auto-stop the recording");
            // The stop is recorded in storage before its merge is queued and marked.
            await(() -> h.store.fields(RecordingId.of(id)).join().get("mergeQueuedAt") != null, "the merge queued");
            assertNotNull(h.s3.getBytes(h.s3.keys().manifest(RecordingId.of(id))).join(), "the stop's manifest");
            assertTrue(h.connection.sync().xrange(RecordingKeys.MERGE_JOBS, Range.create("-", "+")).stream()
                    .anyMatch(m -> id.equals(m.getBody().get("recordingId"))), "its merge job is queued");
            s.sendChunk(1, new byte[] {3});
            JsonNode err = s.next("error");
            assertEquals("NOT_OPEN", err.get("code").asText());
            assertEquals("STOPPED", err.get("state").asText());
            assertEquals(CloseCodes.NOT_OPEN, s.awaitClose().code());
        }
        assertEquals(1, h.s3.listChunks(RecordingId.of(id)).join().size());
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        Waits.until(condition, Duration.ofSeconds(30), what);
    }
}
