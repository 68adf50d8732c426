package dev.recingest.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recingest.protocol.CloseCodes;
import dev.recingest.protocol.Message;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients without a token cannot take a gateway's memory, and a real recording goes on meanwhile.
 * One gateway JVM with {@code -Xmx512m} (so at most 512 MiB of direct memory) and its defaults; 1,000
 * WebSocket clients upgrade without a token, send no {@code start}, and each announces one big frame and
 * trickles it without end, in two waves:
 * <ol>
 *   <li>an 8 MiB chunk frame (what 64 clients used to pin 480 MiB with, and 100 to make the gateway fail
 *       with {@code OutOfMemoryError: Cannot reserve 8388608 bytes of direct buffer memory});</li>
 *   <li>a 60 KiB text frame: under the text limit, the biggest thing such a client may still send.</li>
 * </ol>
 * A real recorder (the Java client, VP8/Opus WebM, token in the upgrade) records through the same gateway
 * all along. Figures are printed: the gateway's direct memory idle and at its peak under each wave (read
 * from its /metrics every 100 ms: the JVM's direct buffers and Netty's pool), how the clients were closed
 * and how long after their upgrade. Asserted: every flooding client is closed with a close code and error
 * the protocol names, the direct memory stays under 64 MiB above idle, and the recording completes with an
 * MP4 whose every chunk is what was sent. {@code -Dflood.sockets=N} changes the wave size.
 */
class PreAuthFloodIT {

    private static final int SOCKETS = Integer.getInteger("flood.sockets", 1000);
    private static final long MIB = 1 << 20;

    @TempDir
    Path dir;

    @Test
    void clientsWithoutATokenCannotTakeTheGatewaysMemoryAndARealRecordingCompletes() throws Exception {
        try (FailureCluster cluster = new FailureCluster(dir)) {
            GatewayProcess gw = cluster.startGatewayProcess("gw-flood", Map.of(), "-Xmx512m",
                    "-Dio.netty.leakDetectionLevel=simple"); // paranoid tracking of a flood is far too slow
            BackpressureIT.Peaks idle = sample(gw, 2000);

            String id = "flood-real";
            List<byte[]> chunks = Recorder.byteRanges(Media.webmVp8Opus(dir, 20), 64 << 10);
            Duration pace = Duration.ofMillis(30_000 / chunks.size());
            CompletableFuture<Message.Stopped> recording = CompletableFuture.supplyAsync(() -> {
                try {
                    return new Recorder().record(Recorder.options(FailureCluster.ingestUri(gw.port),
                            cluster.recorderToken()), id, "video/webm", chunks, pace, i -> { });
                } catch (Exception e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });

            Wave chunkWave = wave(gw, FloodClients.Frame.binary(8 * MIB), 4096, 100);
            Wave textWave = wave(gw, FloodClients.Frame.text(60 << 10), 1024, 500);

            Throwable failed = null;
            Message.Stopped stopped = null;
            try {
                stopped = recording.get(3, TimeUnit.MINUTES);
            } catch (java.util.concurrent.ExecutionException e) {
                failed = e.getCause();
            }
            long ooms = gw.logText().lines().filter(l -> l.contains("OutOfMemoryError")).count();
            System.out.printf("%npre-auth flood: gateway -Xmx512m (pid %d), %d clients per wave without a token%n"
                            + "  idle: direct memory %.1f MiB (JVM direct buffers), %.1f MiB (Netty pool)%n%s%s"
                            + "  real recording %s alongside: %s; gateway log: %d OutOfMemoryError line(s)%n%n",
                    gw.pid(), SOCKETS, mib(idle.jvmDirect), mib(idle.direct), chunkWave.report(idle), textWave.report(idle),
                    id, stopped != null ? "stopped with " + stopped.chunks() + " chunks" : "FAILED: " + failed, ooms);

            for (Wave w : List.of(chunkWave, textWave)) {
                assertEquals(SOCKETS, w.upgraded(), "every client of the wave got its WebSocket");
                assertEquals(SOCKETS, w.closedByGateway(), "the gateway closed every client of the wave");
            }
            assertEquals(Map.of(CloseCodes.PROTOCOL_VIOLATION, (long) SOCKETS), chunkWave.closeCodes(),
                    "every chunk frame before start is refused at its header with 4400");
            assertEquals(Map.of("BAD_REQUEST", (long) SOCKETS), chunkWave.errorCodes());
            assertTrue(Set.of(CloseCodes.IDLE_TIMEOUT, CloseCodes.RATE_LIMITED).containsAll(textWave.closeCodes().keySet()),
                    "half-sent starts end at the start deadline (4408) or, over the gateway's budget for them, at once (4429): "
                            + textWave.closeCodes());
            assertTrue(Set.of("START_TIMEOUT", "RATE_LIMITED").containsAll(textWave.errorCodes().keySet()),
                    String.valueOf(textWave.errorCodes()));
            for (Wave w : List.of(chunkWave, textWave)) {
                assertTrue(w.peaks.jvmDirect - idle.jvmDirect < 64 * MIB, "direct memory under a wave: "
                        + mib(w.peaks.jvmDirect) + " MiB, idle " + mib(idle.jvmDirect) + " MiB");
            }
            assertEquals(0, ooms, "no OutOfMemoryError in the gateway");
            assertTrue(failed == null, "the real recording failed: " + failed);
            assertEquals(chunks.size(), stopped.chunks());
            cluster.assertCompletedMp4(cluster.admin(gw.httpBase()), id, 20);
            cluster.assertChunksExact(id, chunks);
        }
    }

    /**
     * One wave of {@link #SOCKETS} clients, with the gateway's memory sampled until they are all closed (or
     * the wait ends); what the clients saw is taken then, before the test closes the ones still open.
     */
    private record Wave(String what, long upgraded, long closedByGateway, Map<Integer, Long> closeCodes,
                        Map<String, Long> errorCodes, long[] millisToClose, long trickled, BackpressureIT.Peaks peaks) {

        String report(BackpressureIT.Peaks idle) {
            long[] ms = millisToClose;
            return String.format("  %s: %d of %d upgraded, %d closed by the gateway; close codes %s, errors %s; "
                            + "upgrade to close: p50 %d ms, p99 %d ms, max %d ms; %.1f MiB trickled in all%n"
                            + "    direct memory at its peak: %.1f MiB JVM (+%.1f over idle), %.1f MiB Netty pool (+%.1f)%n",
                    what, upgraded, SOCKETS, closedByGateway, closeCodes, errorCodes, pct(ms, 0.5), pct(ms, 0.99),
                    pct(ms, 1.0), mib(trickled), mib(peaks.jvmDirect), mib(peaks.jvmDirect - idle.jvmDirect),
                    mib(peaks.direct), mib(peaks.direct - idle.direct));
        }
    }

    private static Wave wave(GatewayProcess gw, FloodClients.Frame frame, int trickle, long everyMillis) throws Exception {
        BackpressureIT.Peaks peaks = new BackpressureIT.Peaks(gw.httpBase());
        CompletableFuture<Void> sampling = CompletableFuture.runAsync(peaks::sample);
        String what = String.format("%s frame of %s, %d bytes every %d ms", frame.opcode() == 2 ? "chunk" : "text",
                frame.length() >= MIB ? frame.length() / MIB + " MiB" : (frame.length() >> 10) + " KiB", trickle, everyMillis);
        try (FloodClients clients = new FloodClients(FailureCluster.ingestUri(gw.port), SOCKETS, frame, trickle, everyMillis)) {
            // Bounded: the start deadline is 10 s; a wave the gateway does not end is cut after a minute.
            clients.awaitAllClosed(60_000);
            Thread.sleep(500); // a last sample after the closes
            peaks.stop.set(true);
            sampling.get(10, TimeUnit.SECONDS);
            return new Wave(what, clients.upgraded(), SOCKETS - clients.open(), clients.closeCodes(),
                    clients.errorCodes(), clients.millisToClose(), clients.trickledBytes.get(), peaks);
        }
    }

    private static BackpressureIT.Peaks sample(GatewayProcess gw, long millis) throws Exception {
        BackpressureIT.Peaks peaks = new BackpressureIT.Peaks(gw.httpBase());
        CompletableFuture<Void> sampling = CompletableFuture.runAsync(peaks::sample);
        Thread.sleep(millis);
        peaks.stop.set(true);
        sampling.get(10, TimeUnit.SECONDS);
        return peaks;
    }

    private static long pct(long[] sorted, double p) {
        return sorted.length == 0 ? -1 : sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    private static double mib(long bytes) {
        return bytes / (double) MIB;
    }
}
