package dev.recingest.app;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recingest.media.FfmpegBinaries;
import dev.recingest.protocol.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Test media made with the real FFmpeg, and what FFprobe (the program, or its library) says about a file. */
final class Media {

    static final FfmpegBinaries FFMPEG = FfmpegBinaries.locate();

    private Media() {
    }

    /** What a browser's MediaRecorder makes: WebM (live layout, no duration or cues), VP8 + Opus. */
    static Path webmVp8Opus(Path dir, int seconds) {
        return webmVp8Opus(dir, seconds, "320x240");
    }

    /** {@link #webmVp8Opus(Path, int)} at another picture size. */
    static Path webmVp8Opus(Path dir, int seconds, String size) {
        Path out = dir.resolve("sample-" + seconds + "s-" + size + ".webm");
        run(FFMPEG.ffmpeg().toString(), "-hide_banner", "-loglevel", "error", "-y",
                "-f", "lavfi", "-i", "testsrc2=size=" + size + ":rate=25", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
                "-t", Integer.toString(seconds), "-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "400k",
                "-c:a", "libopus", "-f", "webm", "-live", "1", "-cluster_time_limit", "1000", out.toString());
        return out;
    }

    /** What a recorder agent makes: H.264 + AAC in MPEG-TS, a keyframe every second. */
    static Path tsH264Aac(Path dir, int seconds) {
        return tsH264Aac(dir, seconds, "320x240");
    }

    /** {@link #tsH264Aac(Path, int)} at another picture size. */
    static Path tsH264Aac(Path dir, int seconds, String size) {
        Path out = dir.resolve("sample-" + seconds + "s-" + size + ".ts");
        run(FFMPEG.ffmpeg().toString(), "-hide_banner", "-loglevel", "error", "-y",
                "-f", "lavfi", "-i", "testsrc2=size=" + size + ":rate=25", "-f", "lavfi", "-i", "sine=frequency=330:sample_rate=48000",
                "-t", Integer.toString(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-g", "25",
                "-c:a", "aac", "-b:a", "64k", "-f", "mpegts", out.toString());
        return out;
    }

    /** ffprobe's format and streams of a file, as its JSON (from ffprobe, or libavformat where there is none). */
    static JsonNode probe(Path file) {
        try {
            return FFMPEG.prober().probe(file, java.time.Duration.ofMinutes(1));
        } catch (dev.recingest.media.ProbeException e) {
            throw new AssertionError("cannot probe " + file + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static double duration(Path file) {
        return probe(file).get("format").get("duration").asDouble();
    }

    static List<String> streamTypes(Path file) {
        List<String> types = new ArrayList<>();
        probe(file).get("streams").forEach(s -> types.add(s.get("codec_type").asText()));
        return types;
    }

    /** Decodes one frame at {@code seconds}: a file that seeks there gives a frame. */
    static void decodeFrameAt(Path file, double seconds) {
        run(FFMPEG.ffmpeg().toString(), "-hide_banner", "-loglevel", "error", "-ss", Double.toString(seconds),
                "-i", file.toString(), "-frames:v", "1", "-f", "null", "-");
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(3, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new AssertionError(command[0] + " failed: " + new String(out, StandardCharsets.UTF_8));
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
