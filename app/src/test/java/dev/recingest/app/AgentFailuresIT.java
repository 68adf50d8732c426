package dev.recingest.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recingest.agent.LiveRecorder;
import dev.recingest.agent.LiveSource;
import dev.recingest.agent.LiveTestMedia;
import dev.recingest.gateway.GatewayServer;
import dev.recingest.protocol.RecordingId;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent when something dies, against a real gateway (in this JVM), Redis, S3 server and merger: the
 * agent itself killed with kill -9 and restarted on the same spool, the source dropping and coming back,
 * a backup agent taking over from a killed one whose spool is lost. All three make the recording hold
 * more than one continuous stream, each a part (PROTOCOL.md, "part"), which the merger joins into one MP4.
 * (The gateway dying under the agent is {@link AgentGatewayFailoverIT}.)
 */
class AgentFailuresIT {

    @TempDir
    static Path dir;
    static FailureCluster cluster;
    static GatewayServer gateway;
    static URI ingest;
    static boolean parts;

    @BeforeAll
    static void up() throws Exception {
        cluster = new FailureCluster(dir);
        gateway = cluster.startInProcessGateway(Map.of());
        ingest = FailureCluster.ingestUri(gateway.port());
        parts = LiveSourceServers.gatewaySupportsParts(ingest, cluster.recorderToken());
    }

    @AfterAll
    static void down() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private AgentProcess agent(String name, String id, Path sdp, Path spool) {
        return AgentProcess.start(name, dir.resolve(name + ".log"), Map.of("RECINGEST_TOKEN", cluster.recorderToken()),
                List.of("--source=" + sdp, "--recording-id=" + id, "--gateway=" + ingest, "--spool-dir=" + spool,
                        "--source-timeout=60s"));
    }

    @Test
    void anAgentKilledWithKill9AndRestartedOnItsSpoolLosesNothingAndSendsNothingTwice() throws Exception {
        assertTrue(parts, "the gateway answers part");
        String id = "failure-tests-agent-kill9";
        Path spool = dir.resolve("spool-kill9");
        try (LiveTestMedia.RtpSender rtp = LiveTestMedia.RtpSender.prepare(dir, LiveTestMedia.Video.H264)) {
            AgentProcess first = agent("agent-a", id, rtp.sdp, spool);
            Thread.sleep(2000);
            rtp.send(30);
            awaitChunks(id, 4, first);
            long killedAt = System.nanoTime();
            first.kill9();
            Map<Long, String> spooled = snapshot(spool.resolve(id));
            long storedAtKill = chunks(id).size();

            AgentProcess second = agent("agent-b", id, rtp.sdp, spool);
            long resumedAt = awaitChunks(id, storedAtKill + 1, second);
            rtp.awaitEnd(60);
            Thread.sleep(2000);
            second.sigterm();
            assertEquals(0, second.awaitExit(60), "SIGTERM ends the agent cleanly:\n" + second.logText());

            SortedMap<Long, Long> stored = chunks(id);
            assertEquals(LongStream.range(0, stored.size()).boxed().toList(), List.copyOf(stored.keySet()),
                    "chunk objects are exactly 0..N-1, none twice");
            for (Map.Entry<Long, String> e : spooled.entrySet()) {
                assertEquals(e.getValue(), Media.sha256(cluster.s3().getChunk(RecordingId.of(id), e.getKey()).join()),
                        "chunk " + e.getKey() + " is the segment that was in the spool at the kill");
            }
            double expected = sumOfChunkDurations(id, stored.size());
            double mp4 = completedMp4(id);
            System.out.printf("agent kill -9: %d chunks stored at the kill, %d in the spool (seqs %s); restarted agent's "
                    + "first new chunk %d ms after the kill; %d chunks in all; MP4 %.3f s, chunks add up to %.3f s%n",
                    storedAtKill, spooled.size(), spooled.keySet(), (resumedAt - killedAt) / 1_000_000, stored.size(),
                    mp4, expected);
            assertEquals(expected, mp4, 1.0, "the MP4 plays through both parts");
        }
    }

    @Test
    void aBackupAgentTakesOverAKilledAgentsRecordingAsANewPart() throws Exception {
        assertTrue(parts, "the gateway answers part");
        String id = "failure-tests-agent-backup";
        try (LiveTestMedia.RtpSender rtp = LiveTestMedia.RtpSender.prepare(dir, LiveTestMedia.Video.H264)) {
            AgentProcess primary = agent("agent-primary", id, rtp.sdp, dir.resolve("spool-primary"));
            Thread.sleep(2000);
            rtp.send(24);
            awaitChunks(id, 4, primary);
            primary.kill9();
            deleteTree(dir.resolve("spool-primary"));
            long storedByPrimary = chunks(id).size();

            AgentProcess backup = agent("agent-backup", id, rtp.sdp, dir.resolve("spool-backup"));
            rtp.awaitEnd(60);
            Thread.sleep(2000);
            backup.sigterm();
            assertEquals(0, backup.awaitExit(60), "the backup ends cleanly:\n" + backup.logText());
            // The agent's "part started" line with its key-value pairs (the launcher's log format prints them after the phrase).
            assertTrue(java.util.regex.Pattern.compile("part started.* part=\"?1\"?( |$)", java.util.regex.Pattern.MULTILINE)
                    .matcher(backup.logText()).find(), "the backup started part 1");

            SortedMap<Long, Long> stored = chunks(id);
            assertEquals(LongStream.range(0, stored.size()).boxed().toList(), List.copyOf(stored.keySet()));
            double primarySpan = joinedDuration(id, 0, storedByPrimary);
            double backupSpan = joinedDuration(id, storedByPrimary, stored.size());
            double mp4 = completedMp4(id);
            System.out.printf("backup agent: primary's part %d chunks %.3f s, backup's part %d chunks %.3f s; MP4 %.3f s%n",
                    storedByPrimary, primarySpan, stored.size() - storedByPrimary, backupSpan, mp4);
            assertEquals(primarySpan + backupSpan, mp4, 1.0, "one MP4 with both agents' media on one timeline");
        }
    }

    @Test
    void anRtspSourceDroppedFor5SecondsAndBackIsOneRecordingWithANewPart() throws Exception {
        Assumptions.assumeTrue(LiveSourceServers.RtspServer.binary().isPresent(), "no rtsp-server-perl: skipping");
        assertTrue(parts, "the gateway answers part");
        String id = "failure-tests-source-drop";
        try (LiveSourceServers.RtspServer server = LiveSourceServers.RtspServer.start(dir)) {
            Path log = dir.resolve("drop-publisher.log");
            Process publisher = server.publish("cam", 60, log);
            Thread.sleep(1500);
            LiveRecorder recorder = LiveSourcesIT.recorderFor(cluster, ingest, id,
                    LiveSource.parse(server.playUri("cam").toString(), "udp"),
                    LiveSourcesIT.agentOptions(dir.resolve("spool-drop")).withTimeouts(Duration.ofSeconds(3),
                            Duration.ofSeconds(60)));
            CompletableFuture<LiveRecorder.Outcome> running = LiveSourcesIT.runAsync(recorder);
            awaitChunks(id, 3);
            // The camera's stream stops (SIGTERM: its FFmpeg tears the RTSP session down). Killed with SIGKILL it
            // would send no TEARDOWN, and rtsp-server-perl keeps such a mount for good: every later ANNOUNCE of the
            // same path gets 403, so the source could never come back.
            publisher.destroy();
            publisher.waitFor(10, TimeUnit.SECONDS);
            Thread.sleep(5000);
            server.publish("cam", 60, log);
            long before = chunks(id).size();
            awaitChunks(id, before + 3);
            recorder.requestStop();
            LiveRecorder.Outcome out = running.get(2, TimeUnit.MINUTES);

            assertNotNull(out.stopped(), out.error());
            assertEquals(1, out.parts(), "the reconnected source is one new part: " + out);
            assertTrue(out.drops() >= 1, out.toString());
            int n = (int) out.stopped().chunks();
            double expected = sumOfChunkDurations(id, n);
            double mp4 = completedMp4(id);
            System.out.printf("RTSP source dropped for 5 s: %d chunks, %d drops, 1 new part; MP4 %.3f s, chunks add up "
                    + "to %.3f s%n", n, out.drops(), mp4, expected);
            assertEquals(expected, mp4, 1.0, "the MP4 plays through both parts");
        }
    }

    private double completedMp4(String id) throws Exception {
        return cluster.completedMp4Duration(cluster.admin(FailureCluster.httpBase(gateway.port())), id);
    }

    /** What the chunks play for, each on its own (the MP4 joins parts without the time between them). */
    private double sumOfChunkDurations(String id, long n) throws Exception {
        double sum = 0;
        for (long i = 0; i < n; i++) {
            Path f = Files.write(dir.resolve(id + "-chunk-" + i + ".ts"), cluster.s3().getChunk(RecordingId.of(id), i).join());
            sum += Media.duration(f);
        }
        return sum;
    }

    private double joinedDuration(String id, long from, long to) throws Exception {
        Path f = dir.resolve(id + "-" + from + "-" + to + ".ts");
        try (var out = Files.newOutputStream(f)) {
            for (long i = from; i < to; i++) {
                out.write(cluster.s3().getChunk(RecordingId.of(id), i).join());
            }
        }
        return Media.duration(f);
    }

    private static SortedMap<Long, Long> chunks(String id) {
        return cluster.s3().listChunks(RecordingId.of(id)).join();
    }

    /** Waits until at least {@code n} chunk objects exist; returns when. On failure, the agents' logs say why. */
    private static long awaitChunks(String id, long n, AgentProcess... agents) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            if (chunks(id).size() >= n) {
                return System.nanoTime();
            }
            Thread.sleep(100);
        }
        StringBuilder logs = new StringBuilder();
        for (AgentProcess a : agents) {
            String text = a.logText();
            logs.append("\n--- ").append(a).append(" ---\n").append(text.length() > 6000 ? text.substring(text.length() - 6000) : text);
        }
        throw new AssertionError(id + ": fewer than " + n + " chunks after 90 s" + logs);
    }

    /** SHA-256 of every segment in a spool folder, by seq. */
    private static Map<Long, String> snapshot(Path spool) throws Exception {
        Map<Long, String> out = new TreeMap<>();
        if (!Files.isDirectory(spool)) {
            return out;
        }
        try (Stream<Path> files = Files.list(spool)) {
            for (Path p : files.filter(f -> f.getFileName().toString().startsWith("seq-")).toList()) {
                String n = p.getFileName().toString();
                out.put(Long.parseLong(n.substring(4, n.indexOf('.'))), Media.sha256(Files.readAllBytes(p)));
            }
        }
        return out;
    }

    private static void deleteTree(Path root) throws Exception {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
