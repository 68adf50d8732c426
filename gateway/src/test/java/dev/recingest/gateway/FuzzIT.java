package dev.recingest.gateway;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recingest.protocol.CloseCodes;
import dev.recingest.protocol.Json;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.RecordingKeys;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random frames and messages over many connections, deterministic for a seed ({@code -Dfuzz.seed=N};
 * printed): the gateway stays up, never answers with an internal error, answers every connection's
 * close, still serves a well-formed client correctly afterwards, and a recording that no fuzzing client
 * may write is exactly as it was, in Redis and in S3. Connection {@code i} draws from its own
 * {@code Random(seed, i)}, so the frames are the same on every run whatever the thread interleaving.
 */
class FuzzIT {

    private static final long SEED = Long.getLong("fuzz.seed", 20261122L);
    private static final int CONNECTIONS = 500;
    private static final int THREADS = 4;
    private static final int MAX_CHUNK = 64 << 10;
    private static final String VICTIM = "victim";

    @TempDir
    static Path dir;
    static GatewayHarness h;

    @BeforeAll
    static void up() {
        // Every connection's token has one subject: its limit of open recordings would end the fuzz early.
        h = new GatewayHarness(dir, Map.of("RECINGEST_JANITOR_INTERVAL", "0",
                "RECINGEST_MAX_CHUNK_BYTES", MAX_CHUNK + "", "RECINGEST_WINDOW_BYTES", "1MiB",
                "RECINGEST_MAX_OPEN_PER_SUBJECT", "0"));
    }

    @AfterAll
    static void down() {
        h.close();
    }

    /** Everything a client could observe of a recording: its Redis keys and its chunk objects. */
    private record Snapshot(Map<String, String> meta, String next, Map<String, String> stored, List<String> voids,
                            Double listed, Double open, Map<Long, byte[]> chunks) {
    }

    private static Snapshot snapshot(String id) {
        RedisClusterCommands<String, String> redis = h.connection.sync();
        String tag = "rec:{" + id + "}:";
        Map<Long, byte[]> chunks = new TreeMap<>();
        for (long index : h.s3.listChunks(RecordingId.of(id)).join().keySet()) {
            chunks.put(index, h.storedChunk(id, index));
        }
        return new Snapshot(new TreeMap<>(redis.hgetall(tag + "meta")), redis.get(tag + "next"),
                new TreeMap<>(redis.hgetall(tag + "stored")), redis.smembers(tag + "void").stream().sorted().toList(),
                redis.zscore(RecordingKeys.RECORDINGS_INDEX, id), redis.zscore(RecordingKeys.OPEN_INDEX, id), chunks);
    }

    private final LongAdder framesSent = new LongAdder();
    private final Map<String, LongAdder> replies = new ConcurrentHashMap<>();
    private final Map<Integer, LongAdder> closeCodes = new ConcurrentHashMap<>();
    private final AtomicInteger unanswered = new AtomicInteger();
    private final List<String> internalErrors = java.util.Collections.synchronizedList(new ArrayList<>());

    @Test
    void randomFramesOverManyConnectionsChangeNothingTheyMayNotWrite() throws Exception {
        try (TestSocket s = h.open(VICTIM)) {
            IngestProtocolIT.start(s, VICTIM, 0L);
            for (long seq = 0; seq < 3; seq++) {
                s.sendChunk(seq, IngestProtocolIT.payload(VICTIM, seq, 1000 + (int) seq));
                s.next("ack");
            }
        }
        Snapshot before = snapshot(VICTIM);
        // A buffer the gateway never releases is reported by Netty's (paranoid) leak detector on this logger.
        ch.qos.logback.classic.Logger leakLog = (ch.qos.logback.classic.Logger)
                org.slf4j.LoggerFactory.getLogger("io.netty.util.ResourceLeakDetector");
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> leaks =
                new ch.qos.logback.core.read.ListAppender<>();
        leaks.start();
        leakLog.addAppender(leaks);
        double internalBefore = h.metric("recingest_errors_total{code=\"INTERNAL\"}");

        System.out.println("fuzz: seed=" + SEED + " (rerun with -Dfuzz.seed=" + SEED + ")");
        long started = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        List<Future<?>> done = new ArrayList<>();
        AtomicInteger nextConnection = new AtomicInteger();
        for (int t = 0; t < THREADS; t++) {
            done.add(pool.submit(() -> {
                for (int i; (i = nextConnection.getAndIncrement()) < CONNECTIONS; ) {
                    connection(i);
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get(5, TimeUnit.MINUTES);
        }
        pool.shutdown();
        long millis = (System.nanoTime() - started) / 1_000_000;
        System.out.printf("fuzz: %d frames over %d connections in %d ms; replies %s; close codes %s%n",
                framesSent.sum(), CONNECTIONS, millis, new TreeMap<>(replies), new TreeMap<>(closeCodes));

        assertTrue(framesSent.sum() >= 10_000, "sent " + framesSent.sum() + " frames");
        assertEquals(List.of(), internalErrors, "no internal error for any input");
        assertEquals(internalBefore, h.metric("recingest_errors_total{code=\"INTERNAL\"}"), "no INTERNAL counted");
        assertEquals(0, unanswered.get(), "every connection's close was answered");
        Snapshot after = snapshot(VICTIM);
        assertEquals(before.meta(), after.meta());
        assertEquals(before.next(), after.next());
        assertEquals(before.stored(), after.stored());
        assertEquals(before.voids(), after.voids());
        assertEquals(before.listed(), after.listed());
        assertEquals(before.open(), after.open());
        assertEquals(before.chunks().keySet(), after.chunks().keySet());
        before.chunks().forEach((i, bytes) -> assertArrayEquals(bytes, after.chunks().get(i), "victim chunk " + i));

        // Leaked buffers are reported when the collector has found them and the next ones are allocated.
        System.gc();
        wellFormedClientStillWorks();
        leakLog.detachAppender(leaks);
        assertEquals(List.of(), leaks.list.stream().map(Object::toString).toList(), "no ByteBuf leaked");
    }

    private void wellFormedClientStillWorks() {
        String id = "after-fuzz";
        try (TestSocket s = h.open(id)) {
            IngestProtocolIT.start(s, id, 0L);
            for (long seq = 0; seq < 3; seq++) {
                s.sendChunk(seq, IngestProtocolIT.payload(id, seq, 700));
                JsonNode ack = s.next("ack");
                assertEquals(seq, ack.get("index").asLong());
            }
            s.sendText("{\"type\":\"stop\",\"lastSeq\":2}");
            assertEquals(3, s.next("stopped").get("chunks").asLong());
            assertEquals(CloseCodes.NORMAL, s.awaitClose().code());
        }
        for (long seq = 0; seq < 3; seq++) {
            assertArrayEquals(IngestProtocolIT.payload(id, seq, 700), h.storedChunk(id, seq));
        }
    }

    /**
     * One fuzzing connection: an upgrade (maybe with a bad token, or none), maybe a start, frames, a close. Half the
     * connections are long-lived: they wait for {@code started}, send mostly frames a live connection
     * survives (one in a hundred hostile), and most end with a {@code stop}, so their chunks are
     * processed rather than cut short by the close; the others send a few frames of any kind at once.
     */
    private void connection(int i) throws IOException {
        Random r = new Random(SEED * 1_000_003L + i);
        String id = "fuzz-" + i;
        try (WireSocket w = WireSocket.connect(h.gateway.port(), r)) {
            String path = r.nextInt(40) == 0 ? "/v1/elsewhere" : "/v1/ingest";
            String head = w.upgrade(path, switch (r.nextInt(12)) {
                case 0, 1 -> Map.of(); // a client that never shows a token
                case 2 -> Map.of("Authorization", "Bearer not-a-token");
                case 3 -> Map.of("Authorization", "Bearer " + h.tokens.issueForRecording("fuzz", id, Duration.ofMinutes(-1)));
                case 4 -> Map.of("Authorization", "Bearer " + h.tokens.issueForRecording("fuzz", "fuzz-other", Duration.ofMinutes(5)));
                default -> Map.of("Authorization", "Bearer " + h.tokens.issueForPrefix("fuzz", "fuzz-", Duration.ofMinutes(5)));
            });
            if (!head.startsWith("HTTP/1.1 101")) {
                return; // not upgraded (another path): the HTTP side answered and that is all
            }
            FuzzFrames frames = new FuzzFrames(r, w, id, MAX_CHUNK);
            boolean longLived = r.nextBoolean();
            boolean open = true;
            try {
                if (r.nextInt(10) < 7) {
                    frames.text(String.format("{\"type\":\"start\",\"recordingId\":\"%s\",\"contentType\":\"video/webm\"}", id));
                    if (longLived) {
                        open = readUntil(w, i, "started");
                    }
                }
                int n = longLived ? 20 + r.nextInt(60) : 1 + r.nextInt(8);
                for (int k = 0; k < n && open; k++) {
                    if (longLived && r.nextInt(100) >= 1) {
                        frames.benign();
                    } else {
                        frames.hostile();
                    }
                }
                if (open && longLived && r.nextInt(10) < 7) {
                    frames.text("{\"type\":\"stop\"}");
                    open = readUntil(w, i, "stopped", "error");
                }
                if (open) {
                    w.close(1000);
                }
            } catch (IOException e) {
                // The gateway closed (a reset while we still wrote): what it said is still in our buffer.
            } finally {
                framesSent.add(frames.frames);
            }
            if (open) {
                readUntil(w, i);
            }
        }
    }

    /**
     * Reads and counts the gateway's frames until a text message of one of {@code types} (true: the
     * connection is still open) or its close (false). With no types, reads until the close, which must come
     * within 20 s.
     */
    private boolean readUntil(WireSocket w, int i, String... types) {
        try {
            while (true) {
                WireSocket.Frame f = w.read();
                if (f.opcode() == WireSocket.CLOSE) {
                    closeCodes.computeIfAbsent(f.closeCode(), c -> new LongAdder()).increment();
                    if (f.closeCode() == CloseCodes.INTERNAL_ERROR) {
                        internalErrors.add("connection " + i + ": close 1011");
                    }
                    return false;
                }
                if (f.opcode() == WireSocket.PONG) {
                    replies.computeIfAbsent("pong", k -> new LongAdder()).increment();
                }
                if (f.opcode() == WireSocket.TEXT) {
                    JsonNode m = Json.MAPPER.readTree(f.text());
                    String type = m.path("type").asText();
                    String kind = type + (m.has("code") ? ":" + m.get("code").asText() : "");
                    replies.computeIfAbsent(kind, k -> new LongAdder()).increment();
                    if (kind.endsWith("INTERNAL")) {
                        internalErrors.add("connection " + i + ": " + f.text());
                    }
                    if (java.util.Arrays.asList(types).contains(type)
                            && !(type.equals("error") && m.path("code").asText().equals("SEQ_GAP"))) {
                        return true;
                    }
                }
            }
        } catch (SocketTimeoutException e) {
            unanswered.incrementAndGet();
            System.out.println("fuzz: connection " + i + " got no answer within 20 s, awaiting " + List.of(types));
        } catch (EOFException e) {
            closeCodes.computeIfAbsent(-1, c -> new LongAdder()).increment(); // closed without a close frame
        } catch (IOException e) {
            closeCodes.computeIfAbsent(-2, c -> new LongAdder()).increment(); // reset
        }
        return false;
    }
}
