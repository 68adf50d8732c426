package dev.recingest.merge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.recingest.media.FfmpegBinaries;
import dev.recingest.media.FfprobeProcess;
import dev.recingest.media.LibavProbe;
import dev.recingest.merge.MediaInfo.StreamInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The in-process probe (the fallback without ffprobe) answers what the ffprobe program answers, for every
 * kind of input a merge probes: the start of a stream-mode recording, MP4 and MPEG-TS segments, and the
 * output. Needs an installed ffprobe to compare with; skipped with a message where there is none.
 */
class ProbeParityIT {

    @TempDir
    Path dir;

    @Test
    void libavformatInTheJvmAgreesWithTheFfprobeProgram() throws Exception {
        FfmpegBinaries system = FfmpegBinaries.locate();
        assumeTrue(system.ffprobe() != null, "no ffprobe installed: nothing to compare the in-process probe with");
        MediaProbe program = new MediaProbe(new FfprobeProcess(system.ffprobe()));
        MediaProbe inJvm = new MediaProbe(LibavProbe.get());

        Map<String, Path> files = new LinkedHashMap<>();
        files.put("webm vp8+opus (MediaRecorder)", MediaFixtures.mediaRecorderWebm(Files.createDirectories(dir.resolve("a")), 3));
        files.put("webm h264+opus", MediaFixtures.mediaRecorderWebmH264(Files.createDirectories(dir.resolve("b")), 3));
        files.put("fragmented mp4 h264+aac", MediaFixtures.fragmentedMp4(Files.createDirectories(dir.resolve("c")), 3));
        files.put("mpeg-ts segment", MediaFixtures.tsSegments(Files.createDirectories(dir.resolve("d")), 4, 2).get(0));
        files.put("mp4 segment", MediaFixtures.mp4Segments(Files.createDirectories(dir.resolve("e")), 4, 2).get(1));
        if (MediaFixtures.hasEncoder("libvpx-vp9")) {
            files.put("webm vp9+opus", MediaFixtures.mediaRecorderWebm(Files.createDirectories(dir.resolve("f")), "vp9", 2,
                    "160x120", List.of("-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8")));
        }
        List<String> differences = new ArrayList<>();
        for (Map.Entry<String, Path> e : files.entrySet()) {
            InputFormat format = InputFormat.of(contentType(e.getValue()));
            MediaInfo a = program.probe(e.getValue(), format);
            MediaInfo b = inJvm.probe(e.getValue(), format);
            compare(e.getKey(), a, b, differences);
            // A stream-mode merge probes the first bytes of the recording, not a file.
            byte[] head = Files.readAllBytes(e.getValue());
            head = java.util.Arrays.copyOf(head, Math.min(head.length, 256 * 1024));
            MediaInfo ap = program.probe(new java.io.ByteArrayInputStream(head), format, "prefix");
            MediaInfo bp = inJvm.probe(new java.io.ByteArrayInputStream(head), format, "prefix");
            assertEquals(codecs(ap), codecs(bp), e.getKey() + ", first 256 KiB");
            System.out.printf("probe parity %-30s ffprobe: %s %s | in JVM: %s %s%n", e.getKey(), a.formatName(),
                    a.durationSeconds(), b.formatName(), b.durationSeconds());
        }
        assertEquals(List.of(), differences);

        // What a probe costs each way (a segment-mode merge probes every segment), printed, not asserted.
        Path segment = files.get("mp4 segment");
        InputFormat mp4 = InputFormat.of("video/mp4");
        for (int warm = 0; warm < 3; warm++) {
            program.probe(segment, mp4);
            inJvm.probe(segment, mp4);
        }
        int n = 20;
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            program.probe(segment, mp4);
        }
        long t1 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            inJvm.probe(segment, mp4);
        }
        long t2 = System.nanoTime();
        System.out.printf(java.util.Locale.ROOT, "probe cost of one MP4 segment: ffprobe process %.1f ms, libavformat in the JVM %.1f ms (mean of %d)%n",
                (t1 - t0) / 1e6 / n, (t2 - t1) / 1e6 / n, n);
    }

    private static String contentType(Path file) {
        String name = file.getFileName().toString();
        return name.endsWith(".webm") ? "video/webm" : name.endsWith(".ts") ? "video/mp2t" : "video/mp4";
    }

    private static void compare(String what, MediaInfo a, MediaInfo b, List<String> differences) {
        if (!a.formatName().equals(b.formatName())) {
            differences.add(what + ": format " + a.formatName() + " vs " + b.formatName());
        }
        if (!near(a.durationSeconds(), b.durationSeconds())) {
            differences.add(what + ": duration " + a.durationSeconds() + " vs " + b.durationSeconds());
        }
        if (!codecs(a).equals(codecs(b))) {
            differences.add(what + ": streams " + codecs(a) + " vs " + codecs(b));
        }
        for (int i = 0; i < Math.min(a.streams().size(), b.streams().size()); i++) {
            if (!near(a.streams().get(i).durationSeconds(), b.streams().get(i).durationSeconds())) {
                differences.add(what + ": stream " + i + " duration " + a.streams().get(i).durationSeconds() + " vs "
                        + b.streams().get(i).durationSeconds());
            }
        }
    }

    private static List<String> codecs(MediaInfo m) {
        return m.streams().stream().map(ProbeParityIT::describe).toList();
    }

    private static String describe(StreamInfo s) {
        return s.index() + ":" + s.codecType() + ":" + s.codecName() + ":" + s.width() + "x" + s.height() + ":"
                + s.sampleRate() + ":" + s.channels();
    }

    /** Equal to the millisecond (ffprobe prints microseconds; both read the same container fields). */
    private static boolean near(Double x, Double y) {
        return x == null ? y == null : y != null && Math.abs(x - y) < 0.001;
    }
}
