package dev.recingest.media;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;

/**
 * What FFprobe says about a file's container and streams, as FFprobe's own JSON
 * ({@code ffprobe -show_format -show_streams -of json}): {@code format} (format_name, duration, size, …)
 * and {@code streams} (index, codec_type, codec_name, width, height, sample_rate, channels, duration, …).
 * Two implementations give the same answer: the {@code ffprobe} program ({@link FfprobeProcess}), and
 * libavformat inside the JVM ({@link LibavProbe}) where no ffprobe is installed; {@link FfmpegBinaries#prober()}
 * picks one. Values FFprobe prints as strings (durations, sample rates, sizes) are strings here too.
 */
public interface MediaProber {

    /**
     * @throws ProbeException the file is not media FFmpeg can read, or the probe ran past {@code timeout}
     */
    JsonNode probe(Path file, Duration timeout) throws ProbeException, InterruptedException;

    /** Probes bytes that are not a file (the start of a stream-mode recording). */
    JsonNode probe(byte[] data, Duration timeout) throws ProbeException, InterruptedException;

    /** Which implementation this is, for logs. */
    String describe();
}
