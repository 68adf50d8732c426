package dev.recingest.merge;

import dev.recingest.media.FfmpegBinaries;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Test media made by FFmpeg at test time: lavfi test pattern and tone, 320x240, small and fast. */
final class MediaFixtures {

    private static final List<String> SOURCE = List.of("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30",
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000");

    private MediaFixtures() {
    }

    /** WebM VP8 + Opus written the way MediaRecorder writes it: live, no duration, no cues. */
    static Path mediaRecorderWebm(Path dir, int seconds) {
        Path out = dir.resolve("source.webm");
        ffmpeg(SOURCE, List.of("-t", Integer.toString(seconds), "-c:v", "libvpx", "-deadline", "realtime",
                "-cpu-used", "8", "-b:v", "500k", "-c:a", "libopus", "-shortest",
                "-f", "webm", "-live", "1", "-cluster_time_limit", "1000", out.toString()));
        return out;
    }

    /** Fragmented MP4, H.264 + AAC, the way Safari's MediaRecorder writes it: moov first, then fragments. */
    static Path fragmentedMp4(Path dir, int seconds) {
        Path out = dir.resolve("source.mp4");
        ffmpeg(SOURCE, List.of("-t", Integer.toString(seconds), "-c:v", "libx264", "-preset", "ultrafast",
                "-g", "30", "-c:a", "aac", "-shortest", "-movflags", "frag_keyframe+empty_moov+default_base_moof",
                "-f", "mp4", out.toString()));
        return out;
    }

    /** MPEG-TS H.264 + AAC cut by the segment muxer every {@code segmentSeconds}. */
    static List<Path> tsSegments(Path dir, int seconds, int segmentSeconds) {
        return segments(dir, seconds, segmentSeconds, "mpegts", "ts", List.of());
    }

    /** Independent MP4 files (each with its own moov), H.264 + AAC, timestamps reset per file. */
    static List<Path> mp4Segments(Path dir, int seconds, int segmentSeconds) {
        return segments(dir, seconds, segmentSeconds, "mp4", "mp4", List.of("-reset_timestamps", "1"));
    }

    private static List<Path> segments(Path dir, int seconds, int segmentSeconds, String format, String ext,
                                       List<String> extra) {
        Path segDir = dir.resolve("segments-" + ext);
        try {
            Files.createDirectories(segDir);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        List<String> out = new ArrayList<>(List.of("-t", Integer.toString(seconds), "-c:v", "libx264",
                "-preset", "ultrafast", "-g", "30", "-c:a", "aac", "-shortest", "-f", "segment",
                "-segment_time", Integer.toString(segmentSeconds), "-segment_format", format));
        out.addAll(extra);
        out.add(segDir.resolve("seg%04d." + ext).toString());
        ffmpeg(SOURCE, out);
        try (Stream<Path> files = Files.list(segDir)) {
            return files.sorted().toList();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Consecutive byte ranges of {@code file}, {@code size} bytes each (the last one shorter). */
    static List<byte[]> byteRanges(Path file, int size) {
        try {
            byte[] all = Files.readAllBytes(file);
            List<byte[]> out = new ArrayList<>();
            for (int off = 0; off < all.length; off += size) {
                out.add(Arrays.copyOfRange(all, off, Math.min(all.length, off + size)));
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<byte[]> readAll(List<Path> files) {
        return files.stream().map(f -> {
            try {
                return Files.readAllBytes(f);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }).toList();
    }

    private static void ffmpeg(List<String> inputs, List<String> outputs) {
        List<String> cmd = new ArrayList<>(List.of(FfmpegBinaries.locate().ffmpeg().toString(), "-hide_banner",
                "-loglevel", "error", "-nostdin", "-y"));
        cmd.addAll(inputs);
        cmd.addAll(outputs);
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("fixture ffmpeg failed: " + cmd + "\n" + log);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
