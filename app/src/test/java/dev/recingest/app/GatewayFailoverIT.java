package dev.recingest.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recingest.protocol.CloseCodes;
import dev.recingest.protocol.Message;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gateway dies under a recording: three gateways run as separate JVMs of the launcher
 * ({@code Main gateway}) on one embedded Redis and one embedded S3 server, behind a real nginx with the
 * repository's {@code nginx/nginx.conf}; the recorder is the real {@code IngestClient} talking to nginx.
 * One test kills the recording's gateway with {@code kill -9}, the other sends it {@code kill -TERM}
 * (graceful drain). Either way the client resumes on another gateway, the merged MP4 is complete, and
 * every chunk object is exactly what the client sent, none twice. Skipped only if there is no nginx.
 */
class GatewayFailoverIT {

    private static final int SECONDS = 8;
    private static final int CHUNK_BYTES = 16 << 10;
    private static final Duration PACE = Duration.ofMillis(60);

    @TempDir
    static Path dir;
    static FailureCluster cluster;
    static List<GatewayProcess> gateways = new ArrayList<>();
    static Nginx nginx;
    static List<byte[]> chunks;

    @BeforeAll
    static void up() throws Exception {
        Path binary = Nginx.require("the multi-gateway failover tests");
        cluster = new FailureCluster(dir);
        // Three JVMs started side by side; each test uses up one of them.
        gateways.addAll(cluster.startGatewayProcesses(List.of("gw-a", "gw-b", "gw-c"),
                Map.of("RECINGEST_DRAIN_TIMEOUT", "20s")));
        nginx = Nginx.inFrontOf(binary, dir.resolve("nginx"), gateways);
        chunks = Recorder.byteRanges(Media.tsH264Aac(dir, SECONDS), CHUNK_BYTES);
    }

    @AfterAll
    static void down() {
        FailureCluster.closeBehind(nginx, cluster, gateways);
    }

    @Test
    void aClientWhoseGatewayIsKilledResumesOnAnotherAndTheRecordingIsExact() throws Exception {
        String id = "failover-kill9";
        Recorder recorder = new Recorder();
        long[] killedAt = new long[1];
        GatewayProcess[] victim = new GatewayProcess[1];
        Message.Stopped stopped = recorder.record(Recorder.options(nginx.ingestUri(), cluster.recorderToken()), id,
                "video/mp2t", chunks, PACE, i -> {
                    if (i == chunks.size() / 2) {
                        victim[0] = holderOf(id);
                        killedAt[0] = System.nanoTime();
                        victim[0].kill9();
                    }
                });
        assertEquals(chunks.size(), stopped.chunks());
        assertFalse(victim[0].isAlive(), "the gateway was killed");
        assertFalse(recorder.reconnectCauses.isEmpty(), "the client lost its connection and reconnected");
        GatewayProcess resumedOn = resumerOf(id, victim[0]);
        long resumeMillis = (recorder.firstAckAfterResumeNanos.get() - killedAt[0]) / 1_000_000;
        System.out.printf("failover (kill -9 of %s): client resumed on %s; kill to first ack on the new gateway: "
                + "%d ms; close seen by the client: %s%n", victim[0], resumedOn, resumeMillis,
                recorder.reconnectCauses.get(0));
        assertTrue(recorder.firstAckAfterResumeNanos.get() > killedAt[0]);

        cluster.assertCompletedMp4(cluster.admin(nginx.httpBase()), id, SECONDS);
        cluster.assertChunksExact(id, chunks);
    }

    @Test
    void sigtermDrainsTheGatewayWith1001AndTheClientResumesOnAnother() throws Exception {
        String id = "failover-sigterm";
        Recorder recorder = new Recorder();
        long[] termAt = new long[1];
        GatewayProcess[] victim = new GatewayProcess[1];
        Message.Stopped stopped = recorder.record(Recorder.options(nginx.ingestUri(), cluster.recorderToken()), id,
                "video/mp2t", chunks, PACE, i -> {
                    if (i == chunks.size() / 2) {
                        victim[0] = holderOf(id);
                        termAt[0] = System.nanoTime();
                        victim[0].sigterm();
                    }
                });
        assertEquals(chunks.size(), stopped.chunks());
        Integer exit = victim[0].awaitExit(60);
        assertNotNull(exit, "the drained gateway's JVM exits");
        assertFalse(recorder.reconnectCauses.isEmpty(), "the client was closed and reconnected");
        assertEquals(CloseCodes.GOING_AWAY, recorder.reconnectCauses.get(0).code(),
                "the draining gateway closes with 1001: " + recorder.reconnectCauses);
        String log = victim[0].logText();
        assertTrue(log.contains("drain started connections=") && log.contains("drain done remaining=0"),
                "drained every connection before exiting:\n" + log);
        GatewayProcess resumedOn = resumerOf(id, victim[0]);
        System.out.printf("drain (kill -TERM of %s): exit code %d; client saw %s, resumed on %s; "
                + "SIGTERM to first ack on the new gateway: %d ms%n", victim[0], exit, recorder.reconnectCauses.get(0),
                resumedOn, (recorder.firstAckAfterResumeNanos.get() - termAt[0]) / 1_000_000);

        cluster.assertCompletedMp4(cluster.admin(nginx.httpBase()), id, SECONDS);
        cluster.assertChunksExact(id, chunks);
    }

    /** The live gateway whose log says it opened the recording (nginx chose it). */
    private static GatewayProcess holderOf(String id) {
        return await(() -> gateways.stream().filter(g -> g.isAlive() && g.holds(id)).findFirst(),
                "a gateway that opened " + id);
    }

    /** The gateway, other than {@code dead}, on which the recording resumed. */
    private static GatewayProcess resumerOf(String id, GatewayProcess dead) {
        return await(() -> gateways.stream().filter(g -> g != dead && g.logText()
                .contains("recording resumed recording=" + id + " ")).findFirst(), "a gateway that resumed " + id);
    }

    private static <T> T await(java.util.function.Supplier<Optional<T>> probe, String what) {
        long deadline = System.currentTimeMillis() + 20_000;
        while (System.currentTimeMillis() < deadline) {
            Optional<T> found = probe.get();
            if (found.isPresent()) {
                return found.get();
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new AssertionError("no " + what + " within 20 s");
    }
}
