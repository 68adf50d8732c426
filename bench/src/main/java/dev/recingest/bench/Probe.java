package dev.recingest.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/** The duration of a media file, from ffprobe's format section. */
final class Probe {

    private Probe() {
    }

    static double durationSeconds(Path ffprobe, Path file) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of(ffprobe.toString(), "-v", "error", "-show_entries", "format=duration",
                "-of", "csv=p=0", file.toString())).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (p.waitFor() != 0) {
            throw new IOException("ffprobe " + file + ": " + out);
        }
        return Double.parseDouble(out);
    }
}
