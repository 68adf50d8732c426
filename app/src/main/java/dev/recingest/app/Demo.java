package dev.recingest.app;

import dev.recingest.client.push.PushResult;
import dev.recingest.config.Settings;
import dev.recingest.gateway.GatewayConfig;
import dev.recingest.media.FfmpegBinaries;
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
            System.out.println("demo: ffprobe says:");
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

    private static String ffprobeSummary(FfmpegBinaries ffmpeg, Path file) throws IOException, InterruptedException {
        return run(List.of(ffmpeg.ffprobe().toString(), "-v", "error", "-show_entries",
                "format=duration,size,format_name:stream=index,codec_type,codec_name,width,height,sample_rate",
                "-of", "default=noprint_wrappers=0", file.toString()))
                .lines().map(l -> "  " + l + "\n").reduce("", String::concat);
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
