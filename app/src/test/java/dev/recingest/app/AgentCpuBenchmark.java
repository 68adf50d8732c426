package dev.recingest.app;

import dev.recingest.agent.LiveTestMedia;
import dev.recingest.gateway.GatewayServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Not part of the suite (no {@code IT} suffix): the agent's CPU per recorded hour when stream-copying, next
 * to FFmpeg alone cutting the same kind of source into the same segments, in the same run. The source is
 * RTP (H.264 640x360 at 25 fps, ~1 Mbit/s, + Opus) from an SDP, sent by FFmpeg in real time; each side
 * is measured over the same steady window after a warm-up, from the kernel's CPU accounting
 * ({@link ProcessHandle.Info#totalCpuDuration}) of the agent JVM and of its FFmpeg child.
 *
 * <pre>./mvnw verify -pl app -am -Dit.test=AgentCpuBenchmark -Dtest=NoSuchTest -Dsurefire.failIfNoSpecifiedTests=false</pre>
 */
class AgentCpuBenchmark {

    private static final int WARMUP_SECONDS = 15;
    private static final int WINDOW_SECONDS = Integer.getInteger("agent.bench.seconds", 60);

    @TempDir
    Path dir;

    @Test
    void cpuPerRecordedHour() throws Exception {
        try (FailureCluster cluster = new FailureCluster(dir, false)) {
            GatewayServer gateway = cluster.startInProcessGateway(Map.of());
            double ffmpegAlone = ffmpegAlone();
            double[] agent = agent(cluster, FailureCluster.ingestUri(gateway.port()).toString());
            double perHour = 3600.0 / WINDOW_SECONDS;
            System.out.printf("agent CPU, stream copy of RTP H.264 640x360 ~1 Mbit/s + Opus, %d s window after %d s warm-up:%n",
                    WINDOW_SECONDS, WARMUP_SECONDS);
            System.out.printf("  FFmpeg alone (same segment muxer, no agent): %.1f CPU-s per recorded hour%n", ffmpegAlone * perHour);
            System.out.printf("  agent: JVM %.1f + its FFmpeg %.1f = %.1f CPU-s per recorded hour (%.2f%% of one core)%n",
                    agent[0] * perHour, agent[1] * perHour, (agent[0] + agent[1]) * perHour,
                    100.0 * (agent[0] + agent[1]) / WINDOW_SECONDS);
            System.out.printf("  ratio agent total / FFmpeg alone: %.2f%n", (agent[0] + agent[1]) / ffmpegAlone);
        }
    }

    /** CPU seconds of FFmpeg alone over the window. */
    private double ffmpegAlone() throws Exception {
        try (LiveTestMedia.RtpSender rtp = LiveTestMedia.RtpSender.prepare(dir, LiveTestMedia.Video.H264).size("640x360")) {
            Path out = Files.createDirectories(dir.resolve("alone"));
            Process p = new ProcessBuilder(LiveTestMedia.ffmpeg().toString(), "-nostdin", "-hide_banner", "-loglevel", "error",
                    "-protocol_whitelist", "file,udp,rtp", "-i", rtp.sdp.toString(), "-sn", "-dn", "-c", "copy",
                    "-f", "segment", "-segment_time", "2", "-segment_format", "mpegts", "-reset_timestamps", "0",
                    out.resolve("seg-%06d.ts").toString()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            Thread.sleep(1000);
            rtp.send(WARMUP_SECONDS + WINDOW_SECONDS + 10);
            Thread.sleep(WARMUP_SECONDS * 1000L);
            double start = cpu(p.toHandle());
            Thread.sleep(WINDOW_SECONDS * 1000L);
            double used = cpu(p.toHandle()) - start;
            p.destroy();
            p.waitFor(30, TimeUnit.SECONDS);
            return used;
        }
    }

    /** CPU seconds of the agent JVM and of its FFmpeg over the window. */
    private double[] agent(FailureCluster cluster, String ingest) throws Exception {
        try (LiveTestMedia.RtpSender rtp = LiveTestMedia.RtpSender.prepare(dir, LiveTestMedia.Video.H264).size("640x360")) {
            AgentProcess agent = AgentProcess.start("bench-agent", dir.resolve("bench-agent.log"),
                    Map.of("RECINGEST_TOKEN", cluster.recorderToken()), List.of("--source=" + rtp.sdp,
                            "--recording-id=failure-tests-bench", "--gateway=" + ingest, "--spool-dir=" + dir.resolve("spool")));
            ProcessHandle jvm = ProcessHandle.of(agentPid(agent)).orElseThrow();
            Thread.sleep(1000);
            rtp.send(WARMUP_SECONDS + WINDOW_SECONDS + 10);
            Thread.sleep(WARMUP_SECONDS * 1000L);
            ProcessHandle ffmpeg = jvm.children().findFirst().orElseThrow(() -> new AssertionError("no FFmpeg child:\n"
                    + agent.logText()));
            double jvmStart = cpu(jvm);
            double ffStart = cpu(ffmpeg);
            Thread.sleep(WINDOW_SECONDS * 1000L);
            double[] used = {cpu(jvm) - jvmStart, cpu(ffmpeg) - ffStart};
            agent.sigterm();
            Integer exit = agent.awaitExit(60);
            if (exit == null || exit != 0) {
                throw new AssertionError("agent exit " + exit + ":\n" + agent.logText());
            }
            return used;
        }
    }

    private static long agentPid(AgentProcess a) {
        return a.pid();
    }

    private static double cpu(ProcessHandle h) {
        return h.info().totalCpuDuration().orElse(Duration.ZERO).toNanos() / 1e9;
    }
}
