package dev.recingest.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recingest.protocol.CloseCodes;
import dev.recingest.protocol.RecordingId;
import dev.recingest.testkit.Waits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A draining gateway reads nothing more from a connection, however its reasons not to read change
 * meanwhile. Here the connection is also over its window (three 400 KiB chunks in flight, window 1 MiB,
 * their S3 PUTs held by a proxy) and a fourth chunk waits unread in the socket when the drain begins. As the
 * held chunks are acked the window no longer holds the connection back; it used to start reading again
 * then, so the fourth chunk was read, stored and acked after the drain had begun. Now the drain keeps it
 * unread: acks 0-2, then 1001, and the client resends chunk 3 after resuming elsewhere.
 */
class DrainIT {

    private static final int CHUNK = 400 << 10;

    @TempDir
    Path dir;

    @Test
    void aDrainingConnectionReadsNothingMoreWhenItsWindowFreesUp() throws Exception {
        PausingProxy[] proxy = new PausingProxy[1];
        try (GatewayHarness h = new GatewayHarness(dir, Map.of("RECINGEST_WINDOW_BYTES", "1MiB",
                "RECINGEST_DRAIN_TIMEOUT", "30s"), endpoint -> {
                    try {
                        proxy[0] = new PausingProxy(endpoint.getPort());
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    return URI.create("http://127.0.0.1:" + proxy[0].port());
                });
             PausingProxy s3Proxy = proxy[0];
             TestSocket s = h.open("drain-1")) {
            IngestProtocolIT.start(s, "drain-1", 0L);
            s3Proxy.hold();
            for (long seq = 0; seq < 4; seq++) {
                s.sendChunk(seq, new byte[CHUNK]);
            }
            await(() -> h.metric("recingest_inflight_bytes") == 3.0 * CHUNK, "three chunks in flight, the window full");

            CompletableFuture<Void> drain = CompletableFuture.runAsync(h.gateway::drain);
            await(() -> !accepts(h.gateway.port()), "the gateway to stop accepting");
            Thread.sleep(300); // the drain request reaches the connection's event loop right after
            s3Proxy.release();

            TreeSet<Long> acked = new TreeSet<>();
            long giveUp = System.nanoTime() + 60_000_000_000L;
            while (System.nanoTime() < giveUp) {
                JsonNode m = s.poll(200);
                if (m != null) {
                    assertEquals("ack", m.get("type").asText(), m.toString());
                    acked.add(m.get("seq").asLong());
                } else if (s.isClosed()) {
                    break;
                }
            }
            assertEquals(CloseCodes.GOING_AWAY, s.awaitClose().code());
            assertEquals(List.of(0L, 1L, 2L), List.copyOf(acked), "only the chunks read before the drain are acked");
            drain.get(60, TimeUnit.SECONDS);
            assertEquals(List.of(0L, 1L, 2L), List.copyOf(h.s3.listChunks(RecordingId.of("drain-1")).join().keySet()));
        }
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        Waits.until(condition, Duration.ofSeconds(30), what);
    }
}
