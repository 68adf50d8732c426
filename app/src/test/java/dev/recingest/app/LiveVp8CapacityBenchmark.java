package dev.recingest.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * VP8 transcoding capacity per core: k live recordings as a browser's MediaRecorder makes them (WebM, VP8 640x360
 * 30 fps + Opus, 1 s chunks) on one merger, whose FFmpeg processes (VP8 decoded, H.264 encoded by the merge's
 * settings) are all pinned to core 0 ({@code taskset -a -p -c 0}, every thread, as soon as each starts), for each k
 * of {@code -Dlive.vp8} (default 1,2,3,4,6; k = 1 is the baseline). A k keeps up when its renditions end the run
 * less than a segment behind what was committed and p99 commit -> listed stays within segment + 2 s; the largest
 * such k is the capacity of one core. The merger's JVM, Redis, S3 server and the recorders run on the other core
 * (and whatever else the machine runs: see the load average). Prints figures, asserts nothing about time. Not part
 * of the suite; run with {@code ./mvnw verify -pl app -am -Dit.test=LiveVp8CapacityBenchmark -Dtest=NoSuchTest
 * -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false}.
 */
@Tag("benchmark")
class LiveVp8CapacityBenchmark {

    private static final double SEGMENT = 2.0;
    private static final double BOUND = SEGMENT + 2.0;

    @TempDir
    Path dir;

    @Test
    void vp8RecordingsOneCoreTranscodesLive() throws Exception {
        LiveFixtures.assumeFfprobe();
        int seconds = Integer.getInteger("live.seconds", 40);
        Path media = dir.resolve("recorder.webm");
        Media.run(Media.FFMPEG.ffmpeg().toString(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
                "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
                "-t", Integer.toString(seconds), "-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "1000k",
                "-c:a", "libopus", "-b:a", "64k", "-f", "webm", "-live", "1", "-cluster_time_limit", "1000", media.toString());
        List<byte[]> chunks = LiveLoad.perSecond(media);
        List<String> rows = new ArrayList<>();
        int capacity = 0;
        for (String s : System.getProperty("live.vp8", "1,2,3,4,6").split(",")) {
            int k = Integer.parseInt(s.trim());
            LiveLoad.Result r = LiveLoad.run(Files.createDirectories(dir.resolve("k" + k)), k, "video/webm", chunks,
                    Map.of("RECINGEST_LIVE_SEGMENT_DURATION", "2s"), LiveVp8CapacityBenchmark::pinToCoreZero);
            boolean keepsUp = r.unlisted() == 0 && r.maxLag() < SEGMENT && r.percentile(99) <= BOUND;
            if (keepsUp && k > capacity) {
                capacity = k;
            }
            String row = LiveLoad.row((k == 1 ? "baseline, " : "") + "VP8 -> H.264 on 1 core, " + (keepsUp ? "keeps up" : "falls behind"),
                    r, BOUND);
            System.out.println("live vp8 bench: " + row);
            System.out.println("live vp8 bench: k=" + k + " mean latency by chunk index: " + r.byChunk());
            rows.add(row);
        }
        System.out.println("\n" + LiveLoad.HEADER);
        rows.forEach(System.out::println);
        System.out.println("VP8 recordings one core keeps up with (of those tried): " + capacity + "; chunks per recording: "
                + chunks.size() + ", media " + Files.size(media) + " bytes");
    }

    /** Pins every thread of an FFmpeg the merger started to core 0. */
    private static void pinToCoreZero(ProcessHandle ffmpeg) {
        try {
            Process p = new ProcessBuilder("taskset", "-a", "-p", "-c", "0", Long.toString(ffmpeg.pid()))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            p.waitFor(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot pin FFmpeg " + ffmpeg.pid() + " to core 0", e);
        }
    }
}
