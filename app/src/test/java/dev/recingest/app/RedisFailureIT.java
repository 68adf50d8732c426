package dev.recingest.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recingest.client.ClientException;
import dev.recingest.client.RawWebSocket;
import dev.recingest.gateway.GatewayServer;
import dev.recingest.protocol.Message;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.RecordingKeys;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Redis fails under recordings, with a gateway running in this JVM on its own Lettuce connection and the
 * real {@code IngestClient}: the Redis process is killed ({@code SIGKILL}; AOF fsynced every second, so
 * its last writes may be lost) and started again from its data folder; or every key of a recording is
 * deleted. The recordings complete: a playable MP4 with every chunk exactly as sent; an at-least-once
 * stream running through the restart never gets one index twice.
 */
class RedisFailureIT {

    private static final int SECONDS = 8;

    @TempDir
    static Path dir;
    static FailureCluster cluster;
    static GatewayServer gateway;
    static List<byte[]> chunks;

    @BeforeAll
    static void up() throws Exception {
        cluster = new FailureCluster(dir);
        gateway = cluster.startInProcessGateway(Map.of());
        chunks = Recorder.byteRanges(Media.tsH264Aac(dir, SECONDS), 16 << 10);
    }

    @AfterAll
    static void down() {
        cluster.close();
    }

    @Test
    void aRedisRestartMidRecordingIsSurvivedWithNoIndexHandedOutTwice() throws Exception {
        URI http = FailureCluster.httpBase(gateway.port());
        AutoStream auto = new AutoStream(RawWebSocket.connect(FailureCluster.ingestUri(gateway.port()),
                cluster.recorderToken()), "redis-restart-auto");
        CompletableFuture<Void> autoRun = CompletableFuture.runAsync(auto::run);
        Recorder recorder = new Recorder();
        int[] readyWhileDown = new int[1];
        String[] adminWhileDown = new String[1];
        long[] downAt = new long[1];
        CompletableFuture<Void> restarted = new CompletableFuture<>();
        Message.Stopped stopped = recorder.record(Recorder.options(FailureCluster.ingestUri(gateway.port()),
                cluster.recorderToken()), "redis-restart", "video/mp2t", chunks, Duration.ofMillis(50), i -> {
                    if (i == chunks.size() / 3) {
                        cluster.redis.stop();
                        downAt[0] = System.nanoTime();
                        readyWhileDown[0] = FailureCluster.httpStatus(http, "/readyz");
                        adminWhileDown[0] = adminAnswer(http, "redis-restart");
                        CompletableFuture.runAsync(() -> {
                            sleep(3000);
                            cluster.redis.start();
                            restarted.complete(null);
                        });
                    }
                });
        restarted.get(30, TimeUnit.SECONDS);
        auto.stop.set(true);
        autoRun.get(60, TimeUnit.SECONDS);
        assertEquals(chunks.size(), stopped.chunks());
        assertEquals(503, readyWhileDown[0], "/readyz reports not ready while Redis is down");
        assertEquals(200, FailureCluster.httpStatus(http, "/readyz"), "ready again after the reconnect");
        assertTrue(adminWhileDown[0].startsWith("503") && adminWhileDown[0].contains("\"STORAGE_UNAVAILABLE\""),
                "the admin API answers a Redis outage as temporary, not as a server fault: " + adminWhileDown[0]);
        assertTrue(recorder.nacks.get() > 0, "chunks sent while Redis was down were nacked (retryable)");
        System.out.printf("Redis kill and restart: explicit stream %d nacks, complete; at-least-once stream sent "
                + "%d, acked %d at distinct indices, %d nacks, %d chunks with %d void%n", recorder.nacks.get(),
                auto.sent, auto.acked.size(), auto.nacks, auto.stopped.chunks(),
                auto.stopped.voidIndices() == null ? 0 : auto.stopped.voidIndices().size());

        cluster.assertCompletedMp4(cluster.admin(http), "redis-restart", SECONDS);
        cluster.assertChunksExact("redis-restart", chunks);
        auto.assertNoIndexTwice();
    }

    /** GET /v1/recordings/{id}: the status and the body, or the failure that stood for them. */
    private static String adminAnswer(URI http, String id) {
        try {
            return "200 " + cluster.admin(http).recording(id).state();
        } catch (ClientException e) {
            return e.httpStatus() + " " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    @Test
    void aRecordingWhoseKeysAreAllDeletedMidRecordingCompletes() throws Exception {
        String id = "redis-keys-lost";
        Recorder recorder = new Recorder();
        Message.Stopped stopped = recorder.record(Recorder.options(FailureCluster.ingestUri(gateway.port()),
                cluster.recorderToken()), id, "video/mp2t", chunks, Duration.ofMillis(20), i -> {
                    if (i == chunks.size() / 2) {
                        RecordingKeys k = new RecordingKeys(RecordingId.of(id));
                        long deleted = cluster.backends.connection().sync().del(k.all());
                        // Meta, counter and stored record; and the live rendition's status and lease when a live
                        // worker has taken the recording by then.
                        assertTrue(deleted >= 3 && deleted <= 5, "meta, counter, stored record (+ live keys): " + deleted);
                    }
                });
        assertEquals(chunks.size(), stopped.chunks());
        assertEquals(chunks.stream().mapToLong(c -> c.length).sum(), stopped.bytes());
        cluster.assertCompletedMp4(cluster.admin(FailureCluster.httpBase(gateway.port())), id, SECONDS);
        cluster.assertChunksExact(id, chunks);
    }

    /**
     * An at-least-once recorder on a raw WebSocket: a tagged chunk with seq -1 every 20 ms, never resent
     * (a nacked chunk is simply lost, as at-least-once allows), acks and nacks noted.
     */
    static final class AutoStream {
        final RawWebSocket ws;
        final String id;
        final AtomicBoolean stop = new AtomicBoolean();
        final List<Long> acked = new ArrayList<>();
        int nacks;
        int sent;
        Message.Stopped stopped;

        AutoStream(RawWebSocket ws, String id) {
            this.ws = ws;
            this.id = id;
        }

        void run() {
            try {
                ws.sendMessage(new Message.Start(id, "video/mp2t", "segments", null, null)).join();
                ws.expect(Message.Started.class, Duration.ofSeconds(20));
                while (!stop.get()) {
                    ws.sendChunk(-1, tagged(sent++)).join();
                    Thread.sleep(20);
                    drain(Duration.ZERO);
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (acked.size() + nacks < sent && System.nanoTime() < deadline) {
                    drain(Duration.ofMillis(200));
                }
                assertEquals(sent, acked.size() + nacks, "every chunk answered");
                ws.sendMessage(new Message.Stop(null)).join();
                stopped = ws.expect(Message.Stopped.class, Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            } finally {
                ws.close();
            }
        }

        private void drain(Duration wait) throws InterruptedException {
            for (RawWebSocket.Frame f = ws.poll(wait); f != null; f = ws.poll(Duration.ZERO)) {
                if (f instanceof RawWebSocket.Text t) {
                    Message m = dev.recingest.protocol.Json.readMessage(t.text());
                    if (m instanceof Message.Ack a) {
                        acked.add(a.index());
                    } else if (m instanceof Message.Nack) {
                        nacks++;
                    } else {
                        throw new AssertionError("unexpected " + t.text());
                    }
                }
            }
        }

        byte[] tagged(int n) {
            byte[] b = new byte[1500];
            byte[] tag = ("T:" + n + ":").getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(tag, 0, b, 0, tag.length);
            return b;
        }

        /** No index acked twice; every stored chunk is one that was sent, none stored twice. */
        void assertNoIndexTwice() {
            assertEquals(new HashSet<>(acked).size(), acked.size(), "an index acked twice: " + acked);
            RecordingId rid = RecordingId.of(id);
            SortedMap<Long, Long> recorded = cluster.backends.store().storedChunks(rid).join();
            assertTrue(recorded.keySet().containsAll(acked), "every acked index is recorded as stored");
            Set<String> tags = new HashSet<>();
            for (long i : recorded.keySet()) {
                String head = new String(cluster.s3().getChunk(rid, i).join(), 0, 12, StandardCharsets.US_ASCII);
                String tag = head.substring(0, head.indexOf(':', 2));
                assertTrue(tags.add(tag), "chunk " + tag + " stored twice (again at index " + i + ")");
            }
            Set<Long> voids = new HashSet<>(stopped.voidIndices() == null ? List.of() : stopped.voidIndices());
            for (long i = 0; i < stopped.chunks(); i++) {
                assertTrue(recorded.containsKey(i) ^ voids.contains(i), "index " + i + " is either stored or void");
            }
            assertFalse(acked.isEmpty());
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
