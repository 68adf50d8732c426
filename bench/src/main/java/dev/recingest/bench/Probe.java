package dev.recingest.bench;

import dev.recingest.media.MediaProber;
import dev.recingest.media.ProbeException;
import java.io.IOException;
import java.nio.file.Path;

/** The duration of a media file, from ffprobe's format section. */
final class Probe {

    private Probe() {
    }

    static double durationSeconds(MediaProber prober, Path file) throws IOException, InterruptedException {
        try {
            return prober.probe(file, java.time.Duration.ofMinutes(2)).path("format").path("duration").asDouble();
        } catch (ProbeException e) {
            throw new IOException("probe of " + file + ": " + e.getMessage(), e);
        }
    }
}
