package dev.recingest.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recingest.client.RawWebSocket;
import dev.recingest.protocol.Json;
import dev.recingest.protocol.Message;
import dev.recingest.protocol.RecordingId;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backpressure: four clients flood 1 MiB chunks as fast as TCP lets them, for 6 s, into a gateway that
 * runs as a separate JVM (256 MiB heap) whose S3 server sits behind a TCP proxy (test code) passing 8 MB/s.
 * The gateway reads only as fast as storage takes the chunks (per-connection window 4 MiB, global limit
 * 8 MiB, autoRead off beyond them), so its memory stays bounded while the clients are held back by TCP;
 * afterwards every chunk sent is acked, stored once and byte for byte. The peaks, sampled from the
 * gateway's {@code /metrics} every 100 ms, are printed: heap used, Netty's pooled direct memory (where
 * chunk frames live) and the gateway's own in-flight byte count.
 */
class BackpressureIT {

    private static final int CONNECTIONS = 4;
    private static final int CHUNK = 1 << 20;
    private static final long WINDOW = 4L << 20;
    private static final long GLOBAL = 8L << 20;
    private static final Duration FLOOD = Duration.ofSeconds(6);
    private static final long STORAGE_BYTES_PER_SECOND = 8_000_000;
    private static final byte[] NOISE = new byte[CHUNK];

    static {
        new Random(42).nextBytes(NOISE);
    }

    @TempDir
    Path dir;

    @Test
    void aFloodWithSlowStorageLeavesTheGatewayBoundedAndLosesNothing() throws Exception {
        try (FailureCluster cluster = new FailureCluster(dir, false);
             ThrottlingProxy slowS3 = new ThrottlingProxy(cluster.s3Server.port(), STORAGE_BYTES_PER_SECOND)) {
            GatewayProcess gateway = cluster.startGatewayProcess("gw-flood", Map.of(
                    "RECINGEST_S3_ENDPOINT", "http://127.0.0.1:" + slowS3.port(),
                    "RECINGEST_MAX_CHUNK_BYTES", "1MiB",
                    "RECINGEST_WINDOW_BYTES", "4MiB",
                    "RECINGEST_GLOBAL_INFLIGHT_BYTES", "8MiB"),
                    // Paranoid leak tracking (the default here) records every access to every buffer: far
                    // too slow for a flood of 1 MiB frames; the failover tests run with it.
                    "-Dio.netty.leakDetectionLevel=simple");
            Peaks peaks = new Peaks(gateway.httpBase());
            CompletableFuture<Void> sampling = CompletableFuture.runAsync(peaks::sample);
            List<CompletableFuture<Integer>> floods = new ArrayList<>();
            long deadline = System.nanoTime() + FLOOD.toNanos();
            for (int c = 0; c < CONNECTIONS; c++) {
                int conn = c;
                floods.add(CompletableFuture.supplyAsync(() -> flood(cluster, gateway.port, "flood-" + conn, conn, deadline)));
            }
            List<Integer> sent = new ArrayList<>();
            for (CompletableFuture<Integer> f : floods) {
                sent.add(f.get(3, TimeUnit.MINUTES));
            }
            peaks.stop.set(true);
            sampling.get(10, TimeUnit.SECONDS);
            long total = sent.stream().mapToLong(Integer::longValue).sum() * CHUNK;
            System.out.printf("backpressure: %d clients flooded %d MiB of 1 MiB chunks in %d s into storage taking "
                    + "%.1f MB/s; gateway (-Xmx256m) peaks: heap used %.1f MiB, Netty direct %.1f MiB, in flight %.2f "
                    + "MiB (window %d MiB, global limit %d MiB); %d samples%n", CONNECTIONS, total >> 20,
                    FLOOD.toSeconds(), STORAGE_BYTES_PER_SECOND / 1e6, mib(peaks.heap), mib(peaks.direct),
                    mib(peaks.inflight), WINDOW >> 20, GLOBAL >> 20, peaks.samples);

            assertTrue(peaks.samples > 10, "the gateway answered /metrics during the flood");
            // Reading stops past the limits; a read already under way may add one frame per connection.
            assertTrue(peaks.inflight <= GLOBAL + CONNECTIONS * (long) CHUNK, "in flight: " + peaks.inflight);
            assertTrue(peaks.direct < 96L << 20, "Netty direct memory stays bounded: " + peaks.direct);
            assertTrue(peaks.heap < 200L << 20, "heap stays bounded: " + peaks.heap);
            assertTrue(total > 2 * GLOBAL, "the clients sent more than the gateway may hold: " + total);
            for (int c = 0; c < CONNECTIONS; c++) {
                RecordingId id = RecordingId.of("flood-" + c);
                assertEquals(sent.get(c), cluster.s3().listChunks(id).join().size(), id + ": every chunk stored, once");
                for (int seq = 0; seq < sent.get(c); seq++) {
                    assertEquals(Media.sha256(payload(c, seq)), Media.sha256(cluster.s3().getChunk(id, seq).join()),
                            id + " chunk " + seq);
                }
            }
        }
    }

    /** One client: start, send chunks as fast as the socket takes them until the deadline, await every ack, stop. */
    private static int flood(FailureCluster cluster, int port, String id, int conn, long deadline) {
        try (RawWebSocket ws = RawWebSocket.connect(FailureCluster.ingestUri(port), cluster.recorderToken())) {
            ws.sendMessage(new Message.Start(id, "video/mp2t", "segments", null, null)).join();
            ws.expect(Message.Started.class, Duration.ofSeconds(30));
            Set<Long> acked = new HashSet<>();
            int sent = 0;
            while (System.nanoTime() < deadline) {
                ws.sendBinary(ByteBuffer.wrap(chunkFrame(conn, sent))).join();
                sent++;
                collect(ws, acked, Duration.ZERO);
            }
            long ackDeadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (acked.size() < sent && System.nanoTime() < ackDeadline) {
                collect(ws, acked, Duration.ofMillis(200));
            }
            assertEquals(sent, acked.size(), id + ": every chunk acked");
            ws.sendMessage(new Message.Stop((long) sent - 1)).join();
            assertEquals(sent, ws.expect(Message.Stopped.class, Duration.ofSeconds(30)).chunks());
            return sent;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static void collect(RawWebSocket ws, Set<Long> acked, Duration wait) throws InterruptedException {
        for (RawWebSocket.Frame f = ws.poll(wait); f != null; f = ws.poll(Duration.ZERO)) {
            Message m = Json.readMessage(((RawWebSocket.Text) f).text());
            if (!(m instanceof Message.Ack a)) {
                throw new AssertionError("expected only acks, got " + m);
            }
            acked.add(a.seq());
        }
    }

    private static double mib(long bytes) {
        return bytes / 1048576.0;
    }

    static byte[] payload(int conn, int seq) {
        byte[] b = NOISE.clone();
        ByteBuffer.wrap(b).putInt(conn).putInt(seq);
        return b;
    }

    private static byte[] chunkFrame(int conn, int seq) {
        byte[] p = payload(conn, seq);
        ByteBuffer frame = ByteBuffer.allocate(9 + p.length);
        frame.put((byte) 1).putLong(seq).put(p);
        return frame.array();
    }

    /** Maxima of the gateway's memory figures, scraped from /metrics until stopped. */
    static final class Peaks {
        private final URI metrics;
        private final HttpClient http = HttpClient.newHttpClient();
        final AtomicBoolean stop = new AtomicBoolean();
        volatile long heap;
        /** Netty's pooled direct memory (recingest_netty_direct_memory_bytes). */
        volatile long direct;
        /** All of the JVM's direct buffers, Netty's pool and unpooled ones alike (jvm_buffer_memory_used_bytes). */
        volatile long jvmDirect;
        volatile long inflight;
        volatile int samples;

        Peaks(URI base) {
            this.metrics = base.resolve("/metrics");
        }

        void sample() {
            while (!stop.get()) {
                try {
                    String text = http.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(5)).build(),
                            HttpResponse.BodyHandlers.ofString()).body();
                    long h = 0;
                    for (String line : text.split("\n")) {
                        if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
                            h += value(line);
                        } else if (line.startsWith("recingest_netty_direct_memory_bytes")) {
                            direct = Math.max(direct, value(line));
                        } else if (line.startsWith("jvm_buffer_memory_used_bytes{") && line.contains("id=\"direct\"")) {
                            jvmDirect = Math.max(jvmDirect, value(line));
                        } else if (line.startsWith("recingest_inflight_bytes")) {
                            inflight = Math.max(inflight, value(line));
                        }
                    }
                    heap = Math.max(heap, h);
                    samples++;
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (java.io.IOException e) {
                    // a scrape that failed is a missing sample
                }
            }
        }

        private static long value(String line) {
            return (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
    }
}
