package dev.recingest.gateway;

import static dev.recingest.gateway.TakeoverIT.tagOf;
import static dev.recingest.gateway.TakeoverIT.tagged;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recingest.protocol.CloseCodes;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.RecordingKeys;
import dev.recingest.state.RecordingState;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Redis forgets what it knew about a recording while a connection is writing it, against an in-process
 * gateway with a real Redis and S3 server: the whole record (every {@code rec:{id}:*} key deleted, as
 * after a restart without persistence), or only the index counter and the stored-chunk record (as after
 * a restart or failover that lost the latest writes: the INCR counter goes back below chunks already
 * stored and acked). Chunks are in flight while it happens. The recording still completes with every
 * acked chunk, no index is handed out twice, and no chunk object is ever overwritten by another chunk.
 */
class RedisLossIT extends OnDefaultGateway {

    private static void forget(String id, boolean wholeRecord) {
        RecordingKeys k = new RecordingKeys(RecordingId.of(id));
        if (wholeRecord) {
            // Before the keys: a chunk in flight can only notice the loss (and list the id again) after the
            // DEL below, so it is never undone by this ZREM.
            h.connection.sync().zrem(RecordingKeys.RECORDINGS_INDEX, id);
        }
        long n = wholeRecord ? h.connection.sync().del(k.all()) : h.connection.sync().del(k.next(), k.stored());
        assertTrue(n >= 2, "keys deleted: " + n);
    }

    @Test
    void explicitSeqsCompleteAfterTheWholeRecordIsLost() {
        String id = "lost-record-explicit";
        List<byte[]> sent = new ArrayList<>();
        try (TestSocket s = h.open(id)) {
            s.sendText("{\"type\":\"start\",\"recordingId\":\"" + id + "\",\"contentType\":\"video/webm\","
                    + "\"metadata\":{\"room\":\"7\"}}");
            s.next("started");
            for (int seq = 0; seq < 20; seq++) {
                sent.add(tagged("E", seq, 3000 + seq));
            }
            for (int seq = 0; seq < 10; seq++) {
                s.sendChunk(seq, sent.get(seq));
                assertEquals(seq, s.next("ack").get("index").asLong());
            }
            for (int seq = 10; seq < 20; seq++) {
                s.sendChunk(seq, sent.get(seq));
                if (seq == 13) {
                    forget(id, true); // with chunks 10..13 in flight
                }
            }
            Set<Long> acked = new HashSet<>();
            for (int i = 10; i < 20; i++) {
                JsonNode ack = s.next("ack");
                assertEquals(ack.get("seq").asLong(), ack.get("index").asLong(), "index == seq, always");
                acked.add(ack.get("seq").asLong());
            }
            assertEquals(10, acked.size());
            s.sendText("{\"type\":\"stop\",\"lastSeq\":19}");
            JsonNode stopped = s.next("stopped");
            assertEquals(20, stopped.get("chunks").asLong());
            assertEquals(sent.stream().mapToLong(b -> b.length).sum(), stopped.get("bytes").asLong());
            assertEquals(CloseCodes.NORMAL, s.awaitClose().code());
        }
        for (int seq = 0; seq < 20; seq++) {
            assertArrayEquals(sent.get(seq), h.storedChunk(id, seq), "chunk " + seq);
        }
        var rec = h.store.get(RecordingId.of(id)).join().orElseThrow();
        assertEquals(RecordingState.STOPPED, rec.state());
        assertEquals("video/webm", rec.contentType(), "re-created from the connection's own start");
        assertEquals("{\"room\":\"7\"}", rec.metadata());
        assertTrue(h.connection.sync().zscore(RecordingKeys.RECORDINGS_INDEX, id) != null, "listed again");
    }

    @Test
    void atLeastOnceCompletesInOrderAfterTheWholeRecordIsLost() {
        atLeastOnceSurvives("lost-record-auto", true);
    }

    @Test
    void atLeastOnceNeverReusesAnIndexAfterTheCounterWentBack() {
        atLeastOnceSurvives("counter-back-auto", false);
    }

    /**
     * 30 tagged chunks with seq -1, Redis forgets in the middle with 10 in flight. Afterwards: 30 acks at
     * 30 distinct indices, each index holds the chunk acked there, the stored chunks are the 30 sent, once
     * each and in the order they were sent, and an index given up (void) holds nothing anyone was acked for.
     */
    private void atLeastOnceSurvives(String id, boolean wholeRecord) {
        List<Long> acked = new ArrayList<>();
        Set<Long> voids = new HashSet<>();
        long chunks;
        try (TestSocket s = h.open(id)) {
            s.sendText("{\"type\":\"start\",\"recordingId\":\"" + id + "\",\"contentType\":\"video/mp2t\","
                    + "\"mode\":\"segments\"}");
            s.next("started");
            for (int n = 0; n < 10; n++) {
                s.sendChunk(-1, tagged("F", n, 2000));
                acked.add(s.next("ack").get("index").asLong());
            }
            for (int n = 10; n < 30; n++) {
                s.sendChunk(-1, tagged("F", n, 2000));
                if (n == 19) {
                    forget(id, wholeRecord);
                }
            }
            for (int n = 10; n < 30; n++) {
                JsonNode m = s.next();
                assertEquals("ack", m.path("type").asText(), "every chunk is acked: " + m);
                acked.add(m.get("index").asLong());
            }
            s.sendText("{\"type\":\"stop\"}");
            JsonNode stopped = s.next("stopped");
            chunks = stopped.get("chunks").asLong();
            stopped.path("void").forEach(v -> voids.add(v.asLong()));
        }
        assertEquals(30, new HashSet<>(acked).size(), "30 acks at 30 distinct indices: " + acked);
        RecordingId rid = RecordingId.of(id);
        SortedMap<Long, Long> recorded = h.store.storedChunks(rid).join();
        SortedMap<Long, String> stored = new TreeMap<>();
        for (long i : recorded.keySet()) {
            stored.put(i, tagOf(h.storedChunk(id, i)));
        }
        List<String> expected = new ArrayList<>();
        for (int n = 0; n < 30; n++) {
            expected.add("F:" + n);
        }
        assertEquals(expected, new ArrayList<>(stored.values()), "each chunk stored once, in the order it was sent");
        assertEquals(new HashSet<>(acked), recorded.keySet(), "exactly the acked indices are recorded as stored");
        for (long i = 0; i < chunks; i++) {
            assertTrue(recorded.containsKey(i) ^ voids.contains(i), "index " + i + " is either stored or void");
        }
        for (long v : voids) {
            assertFalse(acked.contains(v), "an acked index is never void");
        }
        assertNotNull(h.store.get(rid).join().orElse(null));
        System.out.printf("redis loss (%s, at-least-once): 30 chunks acked at %d indices, %d void (burned)%n",
                wholeRecord ? "whole record" : "counter and stored record", chunks, voids.size());
    }
}
