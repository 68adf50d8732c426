package dev.recingest.agent.push;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recingest.media.FfmpegBinaries;
import dev.recingest.protocol.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Generates test media with FFmpeg and measures it with ffprobe, with a timeout on every run. */
final class TestMedia {

    private TestMedia() {
    }

    /** {@code seconds} of testsrc2 + sine, H.264 (a keyframe every second) and AAC, container by extension. */
    static Path generate(Path target, int seconds) throws IOException, InterruptedException {
        run(List.of(FfmpegBinaries.locate().ffmpeg().toString(), "-nostdin", "-hide_banner", "-loglevel", "error",
                "-y", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-f", "lavfi",
                "-i", "sine=frequency=440:sample_rate=48000", "-t", Integer.toString(seconds),
                "-c:v", "libx264", "-preset", "veryfast", "-g", "25", "-pix_fmt", "yuv420p",
                "-c:a", "aac", "-b:a", "64k", target.toString()));
        return target;
    }

    /** ffprobe's JSON for the file's format and streams. */
    static JsonNode probe(Path file) throws IOException, InterruptedException {
        try {
            return FfmpegBinaries.locate().prober().probe(file, java.time.Duration.ofSeconds(60));
        } catch (dev.recingest.media.ProbeException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    static double formatDuration(Path file) throws IOException, InterruptedException {
        return probe(file).path("format").path("duration").asDouble();
    }

    static double streamDuration(Path file, String codecType) throws IOException, InterruptedException {
        for (JsonNode s : probe(file).path("streams")) {
            if (codecType.equals(s.path("codec_type").asText())) {
                return s.path("duration").asDouble();
            }
        }
        throw new AssertionError("no " + codecType + " stream in " + file);
    }

    /** Decodes the whole file; returns FFmpeg's error output (empty when it decoded cleanly). */
    static String decodeErrors(Path file) throws IOException, InterruptedException {
        return run(List.of(FfmpegBinaries.locate().ffmpeg().toString(), "-nostdin", "-v", "error", "-i",
                file.toString(), "-f", "null", "-"));
    }

    /** Key-frame flag of the first decoded video frame, as FFmpeg's showinfo filter prints it. */
    static boolean startsWithKeyframe(Path file) throws IOException, InterruptedException {
        String out = run(List.of(FfmpegBinaries.locate().ffmpeg().toString(), "-nostdin", "-hide_banner", "-i",
                file.toString(), "-map", "0:v:0", "-frames:v", "1", "-vf", "showinfo", "-f", "null", "-"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("iskey:(\\d)").matcher(out);
        if (!m.find()) {
            throw new IOException("showinfo printed no frame for " + file + ": " + out);
        }
        return m.group(1).equals("1");
    }

    private static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(new ArrayList<>(cmd)).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + cmd);
        }
        String s = new String(out, java.nio.charset.StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException("exit " + p.exitValue() + " from " + cmd + ": " + s);
        }
        return s;
    }
}
