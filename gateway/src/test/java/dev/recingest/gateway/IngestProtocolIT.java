package dev.recingest.gateway;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recingest.protocol.CloseCodes;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.RecordingKeys;
import dev.recingest.state.RecordingState;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The ingest protocol against a real gateway, Redis and S3 server: the happy paths and their edges. */
class IngestProtocolIT extends OnDefaultGateway {

    private static final AtomicInteger IDS = new AtomicInteger();

    static String newId() {
        return "proto-" + IDS.incrementAndGet();
    }

    static byte[] payload(String id, long seq, int size) {
        byte[] b = new byte[size];
        byte[] tag = (id + ":" + seq + ":").getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < size; i++) {
            b[i] = i < tag.length ? tag[i] : (byte) (seq * 31 + i);
        }
        return b;
    }

    static void start(TestSocket s, String id, Long expectNextSeq) {
        s.sendText("{\"type\":\"start\",\"recordingId\":\"" + id + "\",\"contentType\":\"video/webm;codecs=vp8,opus\","
                + "\"metadata\":{\"room\":\"42\"}}");
        JsonNode started = s.next("started");
        assertEquals(id, started.get("recordingId").asText());
        if (expectNextSeq != null) {
            assertEquals(expectNextSeq.longValue(), started.get("nextSeq").asLong());
        }
    }

    /** Starts a new recording on {@code s} and sends chunks 0..{@code chunks}-1 (10 bytes each), each acked. */
    static void startWithChunks(TestSocket s, String id, int chunks) {
        start(s, id, 0L);
        sendAcked(s, id, 0, chunks);
    }

    /** Sends chunks {@code from}..{@code to}-1 (10 bytes each) under explicit seqs, each waiting for its ack. */
    static void sendAcked(TestSocket s, String id, long from, long to) {
        for (long seq = from; seq < to; seq++) {
            s.sendChunk(seq, payload(id, seq, 10));
            s.next("ack");
        }
    }

    /** Sends a start for an existing recording (a resume or a takeover); the caller reads the answer. */
    static void sendStart(TestSocket s, String id) {
        s.sendText("{\"type\":\"start\",\"recordingId\":\"" + id + "\",\"contentType\":\"video/webm\"}");
    }

    @Test
    void explicitSeqsAreAckedStoredAndStopped() {
        String id = newId();
        Map<Long, byte[]> sent = new HashMap<>();
        try (TestSocket s = h.open(id)) {
            start(s, id, 0L);
            for (long seq = 0; seq < 3; seq++) {
                sent.put(seq, payload(id, seq, 1000 + (int) seq));
                s.sendChunk(seq, sent.get(seq));
            }
            for (int i = 0; i < 3; i++) {
                JsonNode ack = s.next("ack");
                long seq = ack.get("seq").asLong();
                assertEquals(seq, ack.get("index").asLong(), "in explicit mode index == seq");
                assertEquals(1000 + seq, ack.get("size").asLong());
            }
            s.sendText("{\"type\":\"stop\",\"lastSeq\":2}");
            JsonNode stopped = s.next("stopped");
            assertEquals(3, stopped.get("chunks").asLong());
            assertEquals(3003, stopped.get("bytes").asLong());
            assertEquals(CloseCodes.NORMAL, s.awaitClose().code());
        }
        for (long seq = 0; seq < 3; seq++) {
            assertArrayEquals(sent.get(seq), h.storedChunk(id, seq), "chunk " + seq + " is stored byte for byte");
        }
        var rec = h.store.get(RecordingId.of(id)).join().orElseThrow();
        assertEquals(RecordingState.STOPPED, rec.state());
        assertEquals(3, rec.chunks());
        assertTrue(h.connection.sync().xrange(RecordingKeys.MERGE_JOBS, io.lettuce.core.Range.create("-", "+"))
                .stream().anyMatch(m -> id.equals(m.getBody().get("recordingId"))), "a merge job is queued");
    }

    @Test
    void aResentSeqGetsItsFirstIndexAndIsStoredOnce() {
        String id = newId();
        try (TestSocket s = h.open(id)) {
            start(s, id, 0L);
            s.sendChunk(0, payload(id, 0, 100));
            s.next("ack");
            s.sendChunk(1, payload(id, 1, 200));
            s.next("ack");
            s.sendChunk(0, payload(id, 0, 100));
            JsonNode again = s.next("ack");
            assertEquals(0, again.get("seq").asLong());
            assertEquals(0, again.get("index").asLong());
            assertEquals(100, again.get("size").asLong(), "a resend is acked with the stored size");
            s.sendText("{\"type\":\"stop\"}");
            assertEquals(2, s.next("stopped").get("chunks").asLong());
        }
        assertEquals(List.of(0L, 1L), List.copyOf(h.s3.listChunks(RecordingId.of(id)).join().keySet()));
    }

    @Test
    void aGapIsReportedWithTheExpectedSeqAndTheConnectionStaysOpen() {
        String id = newId();
        try (TestSocket s = h.open(id)) {
            startWithChunks(s, id, 1);
            s.sendChunk(2, payload(id, 2, 10));
            JsonNode gap = s.next("error");
            assertEquals("SEQ_GAP", gap.get("code").asText());
            assertEquals(2, gap.get("seq").asLong());
            assertEquals(1, gap.get("expected").asLong());
            s.sendChunk(1, payload(id, 1, 10));
            assertEquals(1, s.next("ack").get("index").asLong());
            s.sendChunk(2, payload(id, 2, 10));
            assertEquals(2, s.next("ack").get("index").asLong());
            assertFalse(s.isClosed());
        }
        assertEquals(3, h.s3.listChunks(RecordingId.of(id)).join().size(), "the gap chunk was dropped, not stored");
    }

    @Test
    void serverAssignedIndicesAreDenseInArrivalOrder() {
        String id = newId();
        int n = 8;
        try (TestSocket s = h.open(id)) {
            start(s, id, 0L);
            for (int i = 0; i < n; i++) {
                s.sendChunk(-1, payload(id, i, 500 + i));
            }
            for (int i = 0; i < n; i++) {
                JsonNode ack = s.next("ack");
                assertEquals(-1, ack.get("seq").asLong());
            }
            s.sendText("{\"type\":\"stop\"}");
            JsonNode stopped = s.next("stopped");
            assertEquals(n, stopped.get("chunks").asLong());
        }
        for (int i = 0; i < n; i++) {
            assertArrayEquals(payload(id, i, 500 + i), h.storedChunk(id, i), "index " + i + " holds the " + i + "th frame");
        }
    }

    @Test
    void stopWithALastSeqAheadIsIncompleteAndTheRecordingStaysOpen() {
        String id = newId();
        try (TestSocket s = h.open(id)) {
            startWithChunks(s, id, 1);
            s.sendText("{\"type\":\"stop\",\"lastSeq\":3}");
            JsonNode incomplete = s.next("error");
            assertEquals("INCOMPLETE", incomplete.get("code").asText());
            assertEquals(List.of(1L, 2L, 3L), Json.longs(incomplete.get("missing")));
            sendAcked(s, id, 1, 4);
            s.sendText("{\"type\":\"stop\",\"lastSeq\":3}");
            assertEquals(4, s.next("stopped").get("chunks").asLong());
        }
    }

    @Test
    void aStoppedRecordingCannotBeStartedAgain() {
        String id = newId();
        try (TestSocket s = h.open(id)) {
            startWithChunks(s, id, 1);
            s.sendText("{\"type\":\"stop\"}");
            s.next("stopped");
        }
        try (TestSocket s = h.open(id)) {
            sendStart(s, id);
            JsonNode err = s.next("error");
            assertEquals("NOT_OPEN", err.get("code").asText());
            assertEquals("STOPPED", err.get("state").asText());
            assertEquals(CloseCodes.NOT_OPEN, s.awaitClose().code());
        }
    }

    @Test
    void aReconnectingClientResumesWhereStorageIs() {
        String id = newId();
        try (TestSocket s = h.open(id)) {
            startWithChunks(s, id, 3);
            s.abort();
        }
        try (TestSocket s = h.open(id)) {
            sendStart(s, id);
            JsonNode started = s.next("started");
            assertTrue(started.get("resumed").asBoolean());
            assertEquals(3, started.get("nextSeq").asLong());
        }
    }

    @Test
    void lostRedisStateIsRepairedFromStorageBeforeStarted() {
        String id = newId();
        try (TestSocket s = h.open(id)) {
            startWithChunks(s, id, 4);
            s.abort();
        }
        // Redis "forgets" the counter and the stored-chunk record, as after a failover to a lagging replica.
        RecordingKeys keys = new RecordingKeys(RecordingId.of(id));
        h.connection.sync().del(keys.next(), keys.stored());
        try (TestSocket s = h.open(id)) {
            sendStart(s, id);
            assertEquals(4, s.next("started").get("nextSeq").asLong(), "nextSeq is never below an acked chunk");
            s.sendChunk(4, payload(id, 4, 10));
            assertEquals(4, s.next("ack").get("index").asLong());
            s.sendText("{\"type\":\"stop\",\"lastSeq\":4}");
            JsonNode stopped = s.next("stopped");
            assertEquals(5, stopped.get("chunks").asLong());
            assertEquals(50, stopped.get("bytes").asLong());
        }
    }

    @Test
    void aSecondStartTakesOverAndTheFirstConnectionIsClosedOnItsNextWrite() {
        String id = newId();
        try (TestSocket first = h.open(id); TestSocket second = h.open(id)) {
            startWithChunks(first, id, 1);
            sendStart(second, id);
            assertTrue(second.next("started").get("resumed").asBoolean());
            first.sendChunk(1, payload(id, 1, 10));
            assertEquals("NOT_OPEN", first.next("error").get("code").asText());
            assertEquals(CloseCodes.NOT_OPEN, first.awaitClose().code());
            second.sendChunk(1, payload(id, 1, 10));
            assertEquals(1, second.next("ack").get("index").asLong());
        }
    }

    @Test
    void abortDeletesTheChunks() {
        String id = newId();
        try (TestSocket s = h.open(id)) {
            startWithChunks(s, id, 1);
            s.sendText("{\"type\":\"abort\"}");
            assertEquals(id, s.next("aborted").get("recordingId").asText());
            assertEquals(CloseCodes.NORMAL, s.awaitClose().code());
        }
        assertTrue(h.s3.listChunks(RecordingId.of(id)).join().isEmpty());
        assertEquals(RecordingState.ABORTED, h.store.get(RecordingId.of(id)).join().orElseThrow().state());
    }

    /** Small JSON helpers. */
    static final class Json {
        static List<Long> longs(JsonNode array) {
            List<Long> out = new java.util.ArrayList<>();
            array.forEach(n -> out.add(n.asLong()));
            return out;
        }
    }
}
