package dev.recingest.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recingest.protocol.Message;
import dev.recingest.protocol.RecordingId;
import dev.recingest.testkit.Waits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gateway failover during a live recording changes nothing in its output: two gateways as separate JVMs
 * ({@code Main gateway}) behind a real nginx, the merger in this JVM rendering live; a recorder (the real
 * {@code IngestClient}, through nginx) sends a 30 s MPEG-TS in about real time, and once 3 segments are listed the
 * gateway holding the recording is killed with kill -9; the client resumes on the other. Then the playlist names
 * every segment once, in order, the MP4 came from the rendition and equals the batch merge
 * ({@link LiveRedisRollbackIT#assertRenditionExact}). Skipped where there is no nginx or no ffprobe program.
 */
class LiveGatewayFailoverIT {

    private static final int SECONDS = 30;

    @TempDir
    static Path dir;
    static FailureCluster cluster;
    static List<GatewayProcess> gateways = new ArrayList<>();
    static Nginx nginx;

    @BeforeAll
    static void up() throws Exception {
        Path binary = Nginx.require("the live gateway failover test");
        cluster = new FailureCluster(dir, true, Map.of("RECINGEST_LIVE_POLL", "200ms", "RECINGEST_MERGE_POLL", "500ms"));
        gateways.addAll(cluster.startGatewayProcesses(List.of("live-gw-a", "live-gw-b"), Map.of()));
        nginx = Nginx.inFrontOf(binary, dir.resolve("nginx"), gateways);
    }

    @AfterAll
    static void down() {
        FailureCluster.closeBehind(nginx, cluster, gateways);
    }

    @Test
    void theRecordingsGatewayKilledMidRecordingLeavesThePlaylistAndTheMp4AsWithoutIt() throws Exception {
        LiveFixtures.assumeFfprobe();
        String id = "live-gateway-failover";
        Path source = Media.tsH264Aac(Files.createDirectories(dir.resolve("src")), SECONDS, "640x360");
        List<byte[]> chunks = Recorder.byteRanges(source, 32 << 10);
        int n = chunks.size();
        GatewayProcess[] victim = new GatewayProcess[1];
        int[] listed = new int[1];
        Recorder recorder = new Recorder();
        Message.Stopped stopped = recorder.record(Recorder.options(nginx.ingestUri(), cluster.recorderToken()), id,
                "video/mp2t", chunks, Duration.ofMillis(SECONDS * 900L / n), i -> {
                    if (i == n / 2) {
                        try {
                            Waits.until(() -> segments(id) >= 3, Duration.ofSeconds(60), "3 segments listed");
                            listed[0] = segments(id);
                            Waits.until(() -> gateways.stream().anyMatch(g -> g.isAlive() && g.holds(id)),
                                    Duration.ofSeconds(30), "a gateway's log says it holds " + id);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new AssertionError(e);
                        }
                        victim[0] = gateways.stream().filter(g -> g.isAlive() && g.holds(id)).findFirst().orElseThrow();
                        victim[0].kill9();
                    }
                });
        assertEquals(n, stopped.chunks(), "stopped answered with every chunk");
        assertFalse(victim[0].isAlive(), "the recording's gateway was killed");
        assertFalse(recorder.reconnectCauses.isEmpty(), "the client lost its gateway and resumed on the other");
        String outcome = LiveRedisRollbackIT.assertRenditionExact(cluster, cluster.admin(nginx.httpBase()), id, chunks,
                source, dir, SECONDS);
        System.out.printf(Locale.ROOT, "live gateway failover: %s killed at %d listed segments; %s%n", victim[0],
                listed[0], outcome);
        assertTrue(listed[0] >= 3);
    }

    private static int segments(String id) {
        return Integer.parseInt(cluster.backends.store().liveIndex().status(RecordingId.of(id)).join()
                .getOrDefault("segments", "0"));
    }
}
