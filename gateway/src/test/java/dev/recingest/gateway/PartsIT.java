package dev.recingest.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recingest.protocol.Json;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.Outcomes;
import dev.recingest.state.PartStart;
import dev.recingest.state.SeqMode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The {@code part} message (PROTOCOL.md, "part"; docs/PROTOCOL-NOTES.md) against real gateways, Redis and S3
 * server: the answer, where the boundary is recorded (Redis and storage, before the answer), what the gateway
 * does with chunks in flight, missing or sent after the {@code part}, a resume on another gateway, and a Redis
 * that comes back from an older copy of itself.
 */
class PartsIT extends OnDefaultGateway {

    private static byte[] chunk(String id, long seq) {
        return IngestProtocolIT.payload(id, seq, 500);
    }

    private static JsonNode start(TestSocket s, String id, long nextSeq, int parts) {
        s.sendText("{\"type\":\"start\",\"recordingId\":\"" + id + "\",\"contentType\":\"video/webm\"}");
        JsonNode started = s.next("started");
        assertEquals(nextSeq, started.get("nextSeq").asLong(), started.toString());
        assertEquals(parts, started.get("parts").asInt(), "started reports the parts: " + started);
        return started;
    }

    private static void sendAcked(TestSocket s, String id, long from, long to) {
        for (long seq = from; seq < to; seq++) {
            s.sendChunk(seq, chunk(id, seq));
            assertEquals(seq, s.next("ack").get("seq").asLong());
        }
    }

    private static JsonNode part(TestSocket s) {
        s.sendText("{\"type\":\"part\"}");
        return s.next("partStarted");
    }

    private static void assertPart(JsonNode partStarted, int part, long firstSeq) {
        assertEquals(part, partStarted.get("part").asInt(), partStarted.toString());
        assertEquals(firstSeq, partStarted.get("firstSeq").asLong(), partStarted.toString());
    }

    /** Storage's part marks: first seq to start time. */
    private static Map<Long, Long> marks(String id) {
        return h.s3.listFrom(RecordingId.of(id), 0).join().parts();
    }

    @Test
    void aPartIsAnsweredOnceRecordedInRedisAndStorageAndAskedAgainGetsTheSameAnswer() throws Exception {
        String id = "parts-basic";
        RecordingId rid = RecordingId.of(id);
        try (TestSocket s = h.open(id)) {
            start(s, id, 0, 1);
            assertPart(part(s), 0, 0); // no chunk yet: the part the recording starts with
            sendAcked(s, id, 0, 3);
            long before = System.currentTimeMillis();
            assertPart(part(s), 1, 3);
            assertEquals(List.of(3L), List.copyOf(marks(id).keySet()), "storage holds the boundary");
            long startedAt = marks(id).get(3L);
            assertTrue(startedAt >= before - 1000 && startedAt <= System.currentTimeMillis(), "when it started");
            assertEquals(Map.of(3L, startedAt), h.store.partBoundaries(rid).join(), "Redis holds the same");
            assertPart(part(s), 1, 3); // nothing between: the same answer
            assertEquals(1, marks(id).size(), "asked again, nothing new recorded");
            sendAcked(s, id, 3, 5);
            assertPart(part(s), 2, 5);
            sendAcked(s, id, 5, 6);
            List<PartStart> parts = h.store.get(rid).join().orElseThrow().parts();
            assertEquals(List.of(0L, 3L, 5L), parts.stream().map(PartStart::firstSeq).toList());
            assertEquals(List.of(0, 1, 2), parts.stream().map(PartStart::part).toList());
            s.sendText("{\"type\":\"stop\"}");
            assertEquals(6, s.next("stopped").get("chunks").asLong());
        }
        JsonNode view = Json.MAPPER.readTree(HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                h.httpUri("/v1/recordings/" + id)).header("Authorization", "Bearer " + GatewayHarness.ADMIN).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        assertEquals(3, view.get("parts").asInt(), "the admin API counts the parts: " + view);
        assertTrue(h.metric("recingest_recordings_total{event=\"part\"}") >= 5, "parts are counted");
    }

    /**
     * Chunks still in flight when {@code part} arrives were sent before it: they belong to the previous part.
     * The gateway answers once they are stored and acked, with the first seq after them.
     */
    @Test
    void chunksInFlightWhenThePartArrivesBelongToThePreviousPart() {
        String id = "parts-in-flight";
        try (TestSocket s = h.open(id)) {
            start(s, id, 0, 1);
            for (long seq = 0; seq < 20; seq++) {
                s.sendChunk(seq, chunk(id, seq));
            }
            s.sendText("{\"type\":\"part\"}");
            for (int i = 0; i < 20; i++) {
                assertEquals("ack", s.next().get("type").asText(), "every earlier chunk is acked before the answer");
            }
            assertPart(s.next("partStarted"), 1, 20);
        }
    }

    /**
     * "A {@code part} right after another, with no chunk between them, is answered with the same reply": also two
     * sent back to back, the second before the first was answered. One boundary is recorded.
     */
    @Test
    void twoPartsSentBackToBackGetTheSameAnswerTwice() {
        String id = "parts-twice";
        try (TestSocket s = h.open(id)) {
            start(s, id, 0, 1);
            sendAcked(s, id, 0, 2);
            s.sendText("{\"type\":\"part\"}");
            s.sendText("{\"type\":\"part\"}");
            assertPart(s.next("partStarted"), 1, 2);
            assertPart(s.next("partStarted"), 1, 2);
            assertEquals(1, marks(id).size(), "one boundary recorded");
            sendAcked(s, id, 2, 3);
            s.sendText("{\"type\":\"stop\"}");
            assertEquals(3, s.next("stopped").get("chunks").asLong());
        }
    }

    /**
     * A chunk sent right after {@code part}, before its answer (a client that does not wait): it is the new part's
     * first, held until the boundary is recorded, then stored and acked.
     */
    @Test
    void aChunkSentRightAfterThePartIsTheNewPartsFirst() {
        String id = "parts-eager";
        try (TestSocket s = h.open(id)) {
            start(s, id, 0, 1);
            sendAcked(s, id, 0, 2);
            s.sendText("{\"type\":\"part\"}");
            s.sendChunk(2, chunk(id, 2));
            assertPart(s.next("partStarted"), 1, 2);
            assertEquals(2, s.next("ack").get("seq").asLong());
        }
    }

    /**
     * An index below the counter that was never stored (a chunk nacked and not resent): the previous part is not
     * whole. The answer is INCOMPLETE naming it, the connection stays open and no part starts; once it is resent
     * the part goes through.
     */
    @Test
    void aPartWithAChunkOfThePreviousPartMissingIsIncomplete() {
        String id = "parts-incomplete";
        RecordingId rid = RecordingId.of(id);
        try (TestSocket s = h.open(id)) {
            start(s, id, 0, 1);
            sendAcked(s, id, 0, 2);
            // Seq 2 gets its index but its put never happens, as for a chunk whose storage failed.
            long epoch = Long.parseLong(h.store.fields(rid).join().get("epoch"));
            assertEquals(Outcomes.AssignKind.NEW, h.store.ledger().assign(rid, epoch, 2, SeqMode.EXPLICIT).join().kind());
            s.sendText("{\"type\":\"part\"}");
            JsonNode error = s.next("error");
            assertEquals("INCOMPLETE", error.get("code").asText());
            assertEquals(List.of(2L), Json.MAPPER.convertValue(error.get("missing"), List.class).stream()
                    .map(v -> ((Number) v).longValue()).toList());
            assertTrue(marks(id).isEmpty(), "no part recorded");
            s.sendChunk(2, chunk(id, 2));
            assertEquals(2, s.next("ack").get("seq").asLong());
            assertPart(part(s), 1, 3);
        }
    }

    /**
     * The connection breaks after {@code partStarted}; the client resumes on another gateway: {@code started}
     * says two parts, and a {@code part} sent again (the client did not see the answer) gets the same one.
     */
    @Test
    void aResumeOnAnotherGatewayAfterAPartSeesItAndGetsTheSameAnswer() {
        String id = "parts-other-gateway";
        try (TestSocket s = h.open(id)) {
            start(s, id, 0, 1);
            sendAcked(s, id, 0, 4);
            assertPart(part(s), 1, 4);
            s.abort();
        }
        GatewayServer other = h.anotherGateway();
        try (TestSocket s = TestSocket.open(URI.create("ws://127.0.0.1:" + other.port() + "/v1/ingest"), h.token(id))) {
            JsonNode started = start(s, id, 4, 2);
            assertTrue(started.get("resumed").asBoolean());
            assertPart(part(s), 1, 4);
            sendAcked(s, id, 4, 6);
            s.sendText("{\"type\":\"stop\"}");
            assertEquals(6, s.next("stopped").get("chunks").asLong());
        } finally {
            other.close();
        }
        assertEquals(List.of(0L, 4L), h.store.get(RecordingId.of(id)).join().orElseThrow().parts().stream()
                .map(PartStart::firstSeq).toList());
    }

    /**
     * Redis comes back from a copy of itself taken before the part (its process killed and restarted on an older
     * append-only file): the part, and the chunks after it, are gone from Redis but not from storage. A resume
     * (on another gateway) repairs both: {@code started} says two parts, and the stop has every chunk.
     */
    @Test
    void aPartBoundarySurvivesARedisThatCameBackFromAnOlderCopy() {
        String id = "parts-rollback";
        RecordingId rid = RecordingId.of(id);
        Path snapshot = dir.resolve(id + ".aof");
        try (TestSocket s = h.open(id)) {
            start(s, id, 0, 1);
            sendAcked(s, id, 0, 5);
            awaitAofWritten();
            h.redis.snapshot(snapshot);
            assertPart(part(s), 1, 5);
            sendAcked(s, id, 5, 8);
            s.abort();
        }
        h.redis.restartFrom(snapshot);
        assertTrue(await(() -> h.store.partBoundaries(rid).join().isEmpty()), "Redis lost the part");
        assertEquals(5, h.store.storedChunks(rid).join().size(), "and the chunks after it");
        assertEquals(List.of(5L), List.copyOf(marks(id).keySet()), "storage did not");

        GatewayServer other = h.anotherGateway();
        try (TestSocket s = TestSocket.open(URI.create("ws://127.0.0.1:" + other.port() + "/v1/ingest"), h.token(id))) {
            start(s, id, 8, 2);
            s.sendText("{\"type\":\"stop\"}");
            assertEquals(8, s.next("stopped").get("chunks").asLong());
        } finally {
            other.close();
        }
        assertEquals(List.of(0L, 5L), h.store.get(rid).join().orElseThrow().parts().stream()
                .map(PartStart::firstSeq).toList());
        assertEquals(marks(id).get(5L), h.store.partBoundaries(rid).join().get(5L), "the same start time");
    }

    /** A part before start is a protocol error. */
    @Test
    void aPartBeforeStartIsAProtocolError() {
        try (TestSocket s = h.open("parts-before-start")) {
            s.sendText("{\"type\":\"part\"}");
            assertEquals("BAD_REQUEST", s.next("error").get("code").asText());
            assertEquals(4400, s.awaitClose().code());
        }
    }

    /** The AOF is written every second: wait that long so the copy holds every write before it. */
    private static void awaitAofWritten() {
        try {
            Thread.sleep(1500);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private static boolean await(Supplier<Boolean> condition) {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            try {
                if (condition.get()) {
                    return true;
                }
            } catch (RuntimeException redisNotBackYet) {
                // retried
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
        return false;
    }
}
