package dev.recingest.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recingest.protocol.CloseCodes;
import dev.recingest.protocol.RecordingId;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Takeover in at-least-once mode (seq -1), against an in-process gateway with a real Redis and S3
 * server. The first owner floods chunks without waiting for acks, so many are in flight when a second
 * connection starts the same recording: the first is closed with 4409 on its next write, and none of
 * its chunks, not even those still in flight, lands at an index among or after the new owner's.
 */
class TakeoverIT extends OnDefaultGateway {

    static byte[] tagged(String owner, int n, int size) {
        byte[] b = new byte[size];
        byte[] tag = (owner + ":" + n + ":").getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < size; i++) {
            b[i] = i < tag.length ? tag[i] : (byte) (n * 7 + i);
        }
        return b;
    }

    /** "A:12" from a payload made by {@link #tagged}. */
    static String tagOf(byte[] payload) {
        String head = new String(payload, 0, Math.min(24, payload.length), StandardCharsets.US_ASCII);
        String[] parts = head.split(":");
        return parts[0] + ":" + parts[1];
    }

    static void start(TestSocket s, String id) {
        s.sendText("{\"type\":\"start\",\"recordingId\":\"" + id + "\",\"contentType\":\"video/mp2t\",\"mode\":\"segments\"}");
    }

    @Test
    void anAtLeastOnceOwnerTakenOverMidFloodIsClosedAndNeverInterleavesWithTheNewOwner() throws Exception {
        String id = "takeover-auto";
        TestSocket first = h.open(id);
        start(first, id);
        first.next("started");
        Thread flood = new Thread(() -> {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            for (int i = 0; !first.isClosed() && System.nanoTime() < until; i++) {
                first.sendChunk(-1, tagged("A", i, 2048));
                sleep(2);
            }
        }, "first-owner-flood");
        flood.start();
        List<Long> firstAcked = new ArrayList<>();
        while (firstAcked.size() < 20) {
            JsonNode m = first.next();
            if (m.path("type").asText().equals("ack")) {
                firstAcked.add(m.get("index").asLong());
            }
        }

        TestSocket second = h.open(id);
        start(second, id);
        JsonNode started = second.next("started");
        assertTrue(started.get("resumed").asBoolean());
        long takeoverAt = started.get("nextSeq").asLong();
        for (int n = 0; n < 10; n++) {
            second.sendChunk(-1, tagged("B", n, 1000 + n));
        }
        List<Long> secondAcked = new ArrayList<>();
        for (int n = 0; n < 10; n++) {
            secondAcked.add(second.next("ack").get("index").asLong());
        }

        assertEquals(CloseCodes.NOT_OPEN, first.awaitClose().code(), "the old owner is closed with 4409");
        flood.join(TimeUnit.SECONDS.toMillis(40));
        assertFalse(flood.isAlive());
        boolean notOpen = false;
        for (JsonNode m = first.poll(500); m != null; m = first.poll(500)) {
            if (m.path("type").asText().equals("ack")) {
                firstAcked.add(m.get("index").asLong());
            } else if ("NOT_OPEN".equals(m.path("code").asText())) {
                notOpen = true;
            }
        }
        assertTrue(notOpen, "the old owner hears NOT_OPEN before its 4409");

        second.sendText("{\"type\":\"stop\"}");
        JsonNode stopped = second.next("stopped");
        long chunks = stopped.get("chunks").asLong();
        Set<Long> voids = new HashSet<>();
        stopped.path("void").forEach(v -> voids.add(v.asLong()));
        second.close();
        first.close();

        RecordingId rid = RecordingId.of(id);
        SortedMap<Long, Long> listed = h.s3.listChunks(rid).join();
        SortedMap<Long, String> tags = new TreeMap<>();
        listed.keySet().forEach(i -> tags.put(i, tagOf(h.storedChunk(id, i))));
        SortedMap<Long, Long> recorded = h.store.storedChunks(rid).join();
        System.out.printf("takeover (at-least-once): old owner acked %d, takeover at index %d, %d chunks, %d void%n",
                firstAcked.size(), takeoverAt, chunks, voids.size());

        for (long i : firstAcked) {
            assertTrue(i < takeoverAt, "old owner's acked index " + i + " is below the takeover point " + takeoverAt);
            assertTrue(tags.get(i).startsWith("A:"), "index " + i + " acked to the old owner holds its chunk");
        }
        for (long i : secondAcked) {
            assertTrue(i >= takeoverAt, "new owner's index " + i + " is at or after the takeover point");
        }
        tags.forEach((index, tag) -> {
            if (tag.startsWith("A:")) {
                assertTrue(index < takeoverAt, "old owner's chunk " + tag + " landed at " + index
                        + ", among the new owner's");
            }
        });
        List<String> newOwner = new ArrayList<>();
        tags.forEach((index, tag) -> {
            if (tag.startsWith("B:")) {
                newOwner.add(tag);
            }
        });
        assertEquals(List.of("B:0", "B:1", "B:2", "B:3", "B:4", "B:5", "B:6", "B:7", "B:8", "B:9"), newOwner,
                "the new owner's chunks, once each, in arrival order");
        assertEquals(new HashSet<>(secondAcked).size(), secondAcked.size(), "no index acked twice");
        for (long i = 0; i < chunks; i++) {
            assertTrue(recorded.containsKey(i) ^ voids.contains(i), "index " + i + " is either stored or void");
        }
        for (long v : voids) {
            assertFalse(firstAcked.contains(v) || secondAcked.contains(v), "an acked index is never void: " + v);
        }
    }

    /**
     * The state a gateway killed mid-write leaves behind: seqs 0..4 assigned, 0..2 acked, 3 stored in S3
     * but never recorded in Redis (killed between PUT and commit), 4 never stored. The client resumes on
     * a new connection and resends 3 and 4, as it never saw them acked: 3 is acked with the stored size
     * and not written again (the bytes that reached S3 stay), 4 is stored, and the recording stops whole.
     */
    @Test
    void aResumeKeepsTheChunksADeadGatewayGotIntoStorage() {
        String id = "resume-after-dead-gateway";
        byte[][] chunk = new byte[5][];
        for (int seq = 0; seq < 5; seq++) {
            chunk[seq] = tagged("R", seq, 1000 + seq);
        }
        try (TestSocket s = h.open(id)) {
            start(s, id);
            s.next("started");
            for (int seq = 0; seq < 5; seq++) {
                s.sendChunk(seq, chunk[seq]);
                s.next("ack");
            }
            s.abort();
        }
        RecordingId rid = RecordingId.of(id);
        dev.recingest.state.RecordingKeys k = new dev.recingest.state.RecordingKeys(rid);
        h.connection.sync().hdel(k.stored(), "3", "4");
        h.s3.delete(h.s3.keys().chunk(rid, 4)).join();
        try (TestSocket s = h.open(id)) {
            start(s, id);
            assertEquals(5, s.next("started").get("nextSeq").asLong());
            s.sendChunk(3, tagged("X", 3, 1003)); // even different bytes: what reached storage is kept
            JsonNode ack3 = s.next("ack");
            assertEquals(3, ack3.get("index").asLong());
            assertEquals(1003, ack3.get("size").asLong());
            s.sendChunk(4, chunk[4]);
            assertEquals(4, s.next("ack").get("index").asLong());
            s.sendText("{\"type\":\"stop\",\"lastSeq\":4}");
            JsonNode stopped = s.next("stopped");
            assertEquals(5, stopped.get("chunks").asLong());
        }
        for (int seq = 0; seq < 5; seq++) {
            org.junit.jupiter.api.Assertions.assertArrayEquals(chunk[seq], h.storedChunk(id, seq), "chunk " + seq);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
