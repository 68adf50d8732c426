package dev.recingest.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live latency with codecs copied: N recordings (H.264/AAC MPEG-TS, 1 s chunks, 2 s segments) recorded in real
 * time while ONE merger renders them all live ({@link LiveLoad}); per chunk, commit (the ack) to its media listed in
 * the S3 playlist, p50/p90/p99 against the bound (segment duration + 2 s), for N = 1 (the baseline, same run) and
 * each N of {@code -Dlive.recordings} (default 50,100,200), each run {@code -Dlive.seconds} long (default 60), the N
 * recordings starting over {@code -Dlive.rampSeconds} (default 10), once per start gate of {@code -Dlive.starting}
 * ({@code RECINGEST_LIVE_MAX_STARTING}, default 32; {@code all}: none). Each run prints where the CPU went
 * ({@link CpuProfile}: the start burst, the steady state, a timeline) and the merger's CPU seconds per second of
 * media listed in the steady state.
 * Tiny media (160x90 15 fps, 60 kbit/s): what is measured is the per-recording machinery (an FFmpeg process, S3
 * requests, Redis polls), not the bytes. Prints figures, asserts nothing about time. Not part of the suite; run with
 * {@code ./mvnw verify -pl app -am -Dit.test=LiveLatencyBenchmark -Dtest=NoSuchTest
 * -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false}.
 */
@Tag("benchmark")
class LiveLatencyBenchmark {

    private static final double BOUND = 2.0 + 2.0;

    @TempDir
    Path dir;

    @Test
    void commitToListedWithManyRecordingsLiveOnOneMerger() throws Exception {
        LiveFixtures.assumeFfprobe();
        int seconds = Integer.getInteger("live.seconds", 60);
        Path media = dir.resolve("tiny.ts");
        Media.run(Media.FFMPEG.ffmpeg().toString(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
                "-f", "lavfi", "-i", "testsrc2=size=160x90:rate=15", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
                "-t", Integer.toString(seconds), "-c:v", "libx264", "-preset", "veryfast", "-b:v", "40k", "-g", "30",
                "-keyint_min", "30", "-sc_threshold", "0", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "64k", "-ac", "1",
                "-f", "mpegts", media.toString());
        List<byte[]> chunks = LiveLoad.perSecond(media);
        Map<String, String> settings = Map.of("RECINGEST_LIVE_SEGMENT_DURATION", "2s");
        List<String> rows = new ArrayList<>();
        List<Integer> ns = new ArrayList<>(List.of(1));
        for (String s : System.getProperty("live.recordings", "50,100,200").split(",")) {
            ns.add(Integer.parseInt(s.trim()));
        }
        // -Dlive.starting: the start gates to compare (RECINGEST_LIVE_MAX_STARTING), "all" = no gate (N at once)
        List<String> gates = List.of(System.getProperty("live.starting", "32").split(","));
        for (int n : ns) {
            for (String gate : n == 1 ? List.of("1") : gates) {
                int k = gate.trim().equals("all") ? n : Integer.parseInt(gate.trim());
                Map<String, String> env = new java.util.HashMap<>(settings);
                env.put("RECINGEST_LIVE_MAX_STARTING", Integer.toString(k));
                LiveLoad.Result r = LiveLoad.run(Files.createDirectories(dir.resolve("n" + n + "-k" + k)), n,
                        "video/mp2t", chunks, env, p -> { });
                String row = LiveLoad.row(n == 1 ? "baseline" : "copy, " + (k >= n ? "no start gate" : k + " starting at once"),
                        r, BOUND);
                System.out.println("live latency bench: " + row);
                System.out.println("live latency bench: n=" + n + " k=" + k + " mean latency by chunk index: " + r.byChunk());
                System.out.println("live latency bench: n=" + n + " k=" + k + " " + r.profile());
                rows.add(row);
            }
        }
        System.out.println("\n" + LiveLoad.HEADER);
        rows.forEach(System.out::println);
        System.out.println("recordings started over " + Long.getLong("live.rampSeconds", 10) + " s, chunks per recording: " + chunks.size() + ", media " + Files.size(media) + " bytes, "
                + Runtime.getRuntime().availableProcessors() + " cores");
    }
}
