package dev.recingest.app;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recingest.agent.push.PushResult;
import dev.recingest.config.Settings;
import dev.recingest.gateway.GatewayConfig;
import dev.recingest.media.FfmpegBinaries;
import dev.recingest.media.ProbeException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code demo}: the whole system on embedded defaults, one recording through it. Generates a 20 s test
 * video with sound the way a browser records it (WebM, VP8 + Opus), pushes it to the gateway as 256 KiB
 * byte ranges (stream mode), waits for the merge and prints where the MP4 is and what ffprobe sees in it.
 */
final class Demo {

    private static final int SECONDS = 20;

    private Demo() {
    }

    static int run(Settings base) throws Exception {
        // A free port unless one is asked for, so the demo runs next to anything already on 8080.
        Settings settings = base.with(Map.of(GatewayConfig.PORT.env(), base.find(GatewayConfig.PORT).orElse(0).toString()));
        FfmpegBinaries ffmpeg = FfmpegBinaries.locate(settings.get(FfmpegBinaries.DIR));
        try (EmbeddedCluster cluster = EmbeddedCluster.start(settings)) {
            Path dataDir = Path.of(settings.get(LauncherSettings.DATA_DIR)).toAbsolutePath().normalize();
            Path sample = generateSample(ffmpeg, dataDir.resolve("demo"));
            System.out.println("demo: recording " + sample + " (" + Files.size(sample) + " bytes, " + SECONDS
                    + " s, VP8 + Opus) through " + cluster.ingestUri());
            PushResult result = PushCommand.push(settings.with(Map.of(PushCommand.MODE.env(), "stream")),
                    cluster.ingestUri(), cluster.recorderToken(Duration.ofHours(1)), cluster.adminToken(), sample);
            PushCommand.print(result);
            if (!result.completed()) {
                System.out.println("demo: the recording did not complete");
                return 1;
            }
            Path mp4 = cluster.localPathOf(result.output().key());
            System.out.println("demo: MP4 in S3 bucket '" + cluster.backends().s3().bucket() + "' at key "
                    + result.output().key());
            System.out.println("demo: on disk (embedded S3 data folder): " + mp4);
            System.out.println("demo: ffprobe says (" + ffmpeg.prober().describe() + "):");
            System.out.print(ffprobeSummary(ffmpeg, mp4));
            return 0;
        }
    }

    /** A MediaRecorder-like WebM: live layout (no duration, no cues), 1 s clusters. */
    private static Path generateSample(FfmpegBinaries ffmpeg, Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path out = dir.resolve("sample-" + SECONDS + "s.webm");
        run(List.of(ffmpeg.ffmpeg().toString(), "-hide_banner", "-loglevel", "error", "-y",
                "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30",
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
                "-t", Integer.toString(SECONDS), "-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8",
                "-b:v", "800k", "-c:a", "libopus", "-f", "webm", "-live", "1", "-cluster_time_limit", "1000",
                out.toString()));
        return out;
    }

    /** What FFprobe sees, in FFprobe's default layout (from the ffprobe program, or libavformat without one). */
    static String ffprobeSummary(FfmpegBinaries ffmpeg, Path file) throws IOException, InterruptedException {
        JsonNode probe;
        try {
            probe = ffmpeg.prober().probe(file, Duration.ofMinutes(1));
        } catch (ProbeException e) {
            throw new IOException(e.getMessage(), e);
        }
        StringBuilder sb = new StringBuilder();
        for (JsonNode s : probe.path("streams")) {
            sb.append("  [STREAM]");
            for (String field : List.of("index", "codec_name", "codec_type", "width", "height", "sample_rate")) {
                if (s.has(field)) {
                    sb.append(' ').append(field).append('=').append(s.get(field).asText());
                }
            }
            sb.append(" [/STREAM]\n");
        }
        JsonNode f = probe.path("format");
        sb.append("  [FORMAT] format_name=").append(f.path("format_name").asText()).append(" duration=")
                .append(f.path("duration").asText()).append(" size=").append(f.path("size").asText()).append(" [/FORMAT]\n");
        return sb.toString();
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = p.getInputStream().readAllBytes();
        if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IOException(command.get(0) + " failed: " + new String(output, StandardCharsets.UTF_8));
        }
        return new String(output, StandardCharsets.UTF_8);
    }
}
