package dev.recingest.gateway;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recingest.protocol.CloseCodes;
import dev.recingest.protocol.RecordingId;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A connection does not outlive its token. A recorder whose token expires mid-recording is closed with
 * 4401 and {@code TOKEN_EXPIRED} once its chunks in flight are acked; it connects again with a fresh
 * token, resumes the same recording and loses nothing. That is how a 3-hour meeting is recorded with
 * tokens that live an hour, compressed here into a 3-second token (no leeway).
 */
class TokenExpiryIT {

    @TempDir
    static Path dir;
    static GatewayHarness h;

    @BeforeAll
    static void up() {
        h = new GatewayHarness(dir, Map.of("RECINGEST_JWT_LEEWAY", "0s"));
    }

    @AfterAll
    static void down() {
        h.close();
    }

    private static byte[] payload(long seq) {
        byte[] b = new byte[2048];
        java.util.Arrays.fill(b, (byte) seq);
        b[0] = (byte) (seq >> 8);
        return b;
    }

    @Test
    void aRecorderWhoseTokenExpiresIsClosed4401AndResumesWithAFreshOne() throws Exception {
        String id = "expiry-1";
        TreeSet<Long> acked = new TreeSet<>();
        long sent = 0;
        JsonNode error = null;
        try (TestSocket s = TestSocket.open(h.ingestUri(), h.tokens.issueForRecording("t", id, Duration.ofSeconds(3)))) {
            IngestProtocolIT.start(s, id, 0L);
            long giveUp = System.nanoTime() + 30_000_000_000L;
            while (error == null && System.nanoTime() < giveUp) {
                if (!s.isClosed()) {
                    s.sendChunk(sent, payload(sent));
                    sent++;
                }
                for (JsonNode m = s.poll(200); m != null; m = s.poll(0)) {
                    if ("ack".equals(m.get("type").asText())) {
                        assertTrue(error == null, "no ack after the error");
                        acked.add(m.get("seq").asLong());
                    } else {
                        error = m;
                    }
                }
            }
            assertTrue(error != null, "the connection outlived its token by 27 s");
            assertEquals("TOKEN_EXPIRED", error.get("code").asText(), error.toString());
            assertEquals(CloseCodes.UNAUTHORIZED, s.awaitClose().code());
        }
        System.out.printf("token expiry: %d chunks sent, %d acked before the 4401%n", sent, acked.size());
        assertTrue(acked.size() >= 3, "chunks were acked while the token was valid: " + acked.size());

        // A fresh token: the same recording resumes, and every chunk not acked is sent again.
        try (TestSocket s = h.open(id)) {
            s.sendText("{\"type\":\"start\",\"recordingId\":\"" + id + "\",\"contentType\":\"video/webm\"}");
            JsonNode started = s.next("started");
            assertTrue(started.get("resumed").asBoolean());
            assertTrue(started.get("nextSeq").asLong() >= acked.size(), started.toString());
            List<Long> resend = new ArrayList<>();
            for (long seq = 0; seq < sent; seq++) {
                if (!acked.contains(seq)) {
                    resend.add(seq);
                    s.sendChunk(seq, payload(seq));
                }
            }
            for (int i = 0; i < resend.size(); i++) {
                s.next("ack");
            }
            s.sendText("{\"type\":\"stop\",\"lastSeq\":" + (sent - 1) + "}");
            assertEquals(sent, s.next("stopped").get("chunks").asLong());
        }
        assertEquals(sent, h.s3.listChunks(RecordingId.of(id)).join().size());
        for (long seq = 0; seq < sent; seq++) {
            assertArrayEquals(payload(seq), h.storedChunk(id, seq), "chunk " + seq);
        }
    }
}
