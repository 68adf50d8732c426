package dev.recingest.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recingest.agent.LiveRecorder;
import dev.recingest.agent.LiveSource;
import dev.recingest.agent.LiveTestMedia;
import dev.recingest.protocol.RecordingId;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway dies under the agent: two gateway JVMs behind the repository's nginx, an agent recording RTP
 * through nginx, and the gateway holding the recording killed with kill -9 halfway. The agent resumes on
 * the other gateway, resends what was unacked from its spool, and the MP4 is complete with every chunk
 * stored once. Needs no parts: the source, and so FFmpeg, never stopped. Skipped only if there is no nginx.
 */
class AgentGatewayFailoverIT {

    @TempDir
    static Path dir;
    static FailureCluster cluster;
    static List<GatewayProcess> gateways = new ArrayList<>();
    static Nginx nginx;

    @BeforeAll
    static void up() throws Exception {
        Path binary = Nginx.require("the agent's gateway failover test");
        cluster = new FailureCluster(dir);
        gateways.addAll(cluster.startGatewayProcesses(List.of("agent-gw-a", "agent-gw-b"), Map.of()));
        nginx = Nginx.inFrontOf(binary, dir.resolve("nginx"), gateways);
    }

    @AfterAll
    static void down() {
        FailureCluster.closeBehind(nginx, cluster, gateways);
    }

    @Test
    void theAgentResumesOnAnotherGatewayWhenItsGatewayIsKilled() throws Exception {
        String id = "failure-tests-agent-gateway-kill9";
        try (LiveTestMedia.RtpSender rtp = LiveTestMedia.RtpSender.prepare(dir, LiveTestMedia.Video.H264)) {
            LiveRecorder recorder = LiveSourcesIT.recorderFor(cluster, nginx.ingestUri(), id,
                    LiveSource.parse(rtp.sdp.toString(), "tcp"),
                    LiveSourcesIT.agentOptions(dir.resolve("spool")).withMaxDuration(Duration.ofSeconds(20)));
            CompletableFuture<LiveRecorder.Outcome> running = LiveSourcesIT.runAsync(recorder);
            Thread.sleep(1000);
            rtp.send(30);
            awaitChunks(id, 5);
            GatewayProcess victim = gateways.stream().filter(g -> g.holds(id)).findFirst()
                    .orElseThrow(() -> new AssertionError("no gateway logged " + id));
            long before = chunks(id);
            long killedAt = System.nanoTime();
            victim.kill9();
            long resumedAt = awaitChunks(id, before + 1);
            LiveRecorder.Outcome out = running.get(3, TimeUnit.MINUTES);

            assertEquals(LiveRecorder.Reason.MAX_DURATION, out.reason(), out.toString());
            assertNotNull(out.stopped(), out.error());
            assertEquals(0, out.parts(), "FFmpeg never stopped: one part");
            long n = out.stopped().chunks();
            assertEquals(LongStream.range(0, n).boxed().toList(),
                    List.copyOf(cluster.s3().listChunks(RecordingId.of(id)).join().keySet()),
                    "chunk objects are exactly 0..N-1, none twice");
            assertEquals(out.segments(), n, "every spooled segment is one chunk");
            GatewayProcess other = gateways.stream().filter(g -> g != victim).findFirst().orElseThrow();
            assertTrue(other.logText().contains("recording resumed recording=" + id + " "), "resumed on " + other);
            cluster.assertCompletedMp4(cluster.admin(nginx.httpBase()), id, 20.0);
            System.out.printf("agent, gateway kill -9 (%s): next chunk stored %d ms after the kill, on %s; %d chunks, "
                    + "MP4 complete (20 s)%n", victim, (resumedAt - killedAt) / 1_000_000, other, n);
        }
    }

    private static long chunks(String id) {
        return cluster.s3().listChunks(RecordingId.of(id)).join().size();
    }

    private static long awaitChunks(String id, long n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            if (chunks(id) >= n) {
                return System.nanoTime();
            }
            Thread.sleep(50);
        }
        throw new AssertionError(id + ": fewer than " + n + " chunks after 90 s");
    }
}
