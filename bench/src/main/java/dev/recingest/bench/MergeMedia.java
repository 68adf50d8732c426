package dev.recingest.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The merge section's recording: a meeting-like MPEG-TS (640x360 30 fps H.264 at 1.2 Mbit/s with a
 * keyframe every 2 s, mono AAC 96 kbit/s) of any length, made fast: one minute is encoded once, then
 * looped with {@code -stream_loop -c copy} (FFmpeg continues the timestamps across loops). Cached under
 * {@code cacheDir} by length, so reruns skip it; written to a temporary name first, so a killed run never
 * leaves a truncated file that a later run would trust.
 */
final class MergeMedia {

    private static final int CLIP_SECONDS = 60;

    private MergeMedia() {
    }

    static Path recording(Path ffmpeg, Path cacheDir, int minutes) throws IOException, InterruptedException {
        Files.createDirectories(cacheDir);
        Path target = cacheDir.resolve("meeting-" + minutes + "min.ts");
        if (Files.isRegularFile(target)) {
            return target;
        }
        Path clip = cacheDir.resolve("clip-" + CLIP_SECONDS + "s.ts");
        if (!Files.isRegularFile(clip)) {
            Path tmp = cacheDir.resolve(clip.getFileName() + ".tmp");
            run(List.of(ffmpeg.toString(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
                    "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30",
                    "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
                    "-t", Integer.toString(CLIP_SECONDS),
                    "-c:v", "libx264", "-preset", "veryfast", "-b:v", "1200k", "-maxrate", "1500k",
                    "-bufsize", "2400k", "-g", "60", "-keyint_min", "60", "-sc_threshold", "0", "-pix_fmt", "yuv420p",
                    "-c:a", "aac", "-b:a", "96k", "-ac", "1", "-f", "mpegts", tmp.toString()));
            Files.move(tmp, clip, StandardCopyOption.ATOMIC_MOVE);
        }
        int loops = (minutes * 60 + CLIP_SECONDS - 1) / CLIP_SECONDS;
        Path tmp = cacheDir.resolve(target.getFileName() + ".tmp");
        run(List.of(ffmpeg.toString(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
                "-stream_loop", Integer.toString(loops - 1), "-i", clip.toString(),
                "-t", Integer.toString(minutes * 60), "-c", "copy", "-f", "mpegts", tmp.toString()));
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        return target;
    }

    /** Runs a command to its end, its output into the bench's stderr; fails on a non-zero exit. */
    static void run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(new ArrayList<>(cmd)).inheritIO().start();
        int rc = p.waitFor();
        if (rc != 0) {
            throw new IOException(String.format(Locale.ROOT, "exit %d from %s", rc, String.join(" ", cmd)));
        }
    }
}
