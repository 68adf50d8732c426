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
 * picks one. Values FFprobe prints as strings (durations, sample rates, sizes) are strings here too. Either
 * way the input may open nothing but itself: {@code -protocol_whitelist file} (or {@code pipe} for bytes).
 */
public interface MediaProber {

    /**
     * @param demuxer FFmpeg's name of the demuxer to read the input with ({@code matroska}, {@code mov},
     *                {@code mpegts}, …), so that untrusted bytes are never read as a format FFmpeg guesses
     *                (a playlist that opens URLs, say); null lets FFmpeg guess (trusted files only)
     * @throws ProbeException the input is not media FFmpeg can read that way, or the probe ran past {@code timeout}
     */
    JsonNode probe(Path file, String demuxer, Duration timeout) throws ProbeException, InterruptedException;

    /** Probes bytes that are not a file (the start of a stream-mode recording); see {@link #probe(Path, String, Duration)}. */
    JsonNode probe(byte[] data, String demuxer, Duration timeout) throws ProbeException, InterruptedException;

    /** A trusted file (the project's own output, test media), its format guessed. */
    default JsonNode probe(Path file, Duration timeout) throws ProbeException, InterruptedException {
        return probe(file, null, timeout);
    }

    /** Which implementation this is, for logs. */
    String describe();
}
