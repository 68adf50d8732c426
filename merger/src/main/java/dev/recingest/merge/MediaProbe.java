package dev.recingest.merge;

import com.github.kokorin.jaffree.JaffreeException;
import com.github.kokorin.jaffree.LogLevel;
import com.github.kokorin.jaffree.StreamType;
import com.github.kokorin.jaffree.ffprobe.FFprobe;
import com.github.kokorin.jaffree.ffprobe.FFprobeResult;
import com.github.kokorin.jaffree.ffprobe.Stream;
import com.github.kokorin.jaffree.ffprobe.data.ProbeData;
import com.github.kokorin.jaffree.process.JaffreeAbnormalExitException;
import dev.recingest.merge.MediaInfo.StreamInfo;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * FFprobe through Jaffree, under a timeout, answering {@link MediaInfo}. Every probe reads its input as
 * the {@link InputFormat} it is given, never a format FFprobe guesses.
 */
final class MediaProbe {

    static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** FFprobe's error lines kept for the message of a failed probe. */
    private static final int ERROR_LINES = 3;
    private static final Pattern LOG_PREFIX = Pattern.compile("\\[[^\\]]*@ 0x[0-9a-f]+\\]\\s*|\\[(error|fatal|panic|warning)\\]\\s*");

    private final Path ffprobe;

    MediaProbe(Path ffprobe) {
        this.ffprobe = ffprobe;
    }

    MediaInfo probe(Path file, InputFormat format) throws InterruptedException {
        FFprobe probe = base(format.fileOptions()).setInput(file);
        return run(probe, file.getFileName().toString(), format);
    }

    /** Probes bytes that are not a file (the start of a stream-mode recording); nothing goes to disk. */
    MediaInfo probe(InputStream in, InputFormat format, String what) throws InterruptedException {
        return run(base(format.socketOptions()).setInput(in), what, format);
    }

    private FFprobe base(List<String> inputOptions) {
        // Errors only: FFprobe's warnings about the cut-off end of a stream prefix are expected.
        FFprobe probe = new FFprobe(ffprobe).addArgument("-hide_banner").setLogLevel(LogLevel.ERROR)
                .setShowStreams(true).setShowFormat(true);
        inputOptions.forEach(probe::addArgument);
        return probe;
    }

    private static MediaInfo run(FFprobe probe, String what, InputFormat format) throws InterruptedException {
        Future<FFprobeResult> future = probe.executeAsync();
        FFprobeResult result;
        try {
            result = future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new MergeFailure(MergeError.FFMPEG_TIMEOUT, "ffprobe of " + what + " did not finish within " + TIMEOUT, e);
        } catch (InterruptedException e) {
            future.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof JaffreeException) {
                throw new MergeFailure(MergeError.UNSUPPORTED_MEDIA, "ffprobe cannot read " + what + " as "
                        + format.demuxer() + " (contentType " + format.contentType() + ")" + errors(c), c);
            }
            throw MergeFailure.from(c);
        }
        return toInfo(result);
    }

    /**
     * FFprobe's own words, such as "EBML header parsing failed", when Jaffree kept them: without the
     * "[matroska,webm @ 0x55...] [error]" prefixes, and without the line that only repeats the input's local
     * name (a socket or a path in the work directory).
     */
    private static String errors(Throwable c) {
        if (!(c instanceof JaffreeAbnormalExitException abnormal)) {
            return "";
        }
        List<String> lines = abnormal.getProcessErrorLogMessages().stream().map(m -> m.message)
                .filter(m -> m != null && !m.isBlank())
                .map(m -> LOG_PREFIX.matcher(m).replaceAll("").trim())
                .filter(m -> !m.startsWith("tcp://") && !m.startsWith("/"))
                .limit(ERROR_LINES).toList();
        return lines.isEmpty() ? "" : ": " + String.join("; ", lines);
    }

    static MediaInfo toInfo(FFprobeResult result) {
        List<StreamInfo> streams = result.getStreams().stream().map(MediaProbe::toStream).toList();
        String formatName = result.getFormat() == null ? null : result.getFormat().getFormatName();
        Double duration = result.getFormat() == null ? null : seconds(result.getFormat().getProbeData());
        return new MediaInfo(formatName, duration, streams);
    }

    private static StreamInfo toStream(Stream s) {
        StreamType type = s.getCodecType();
        String codecType = type == null ? "unknown" : switch (type) {
            case VIDEO, VIDEO_NOT_PICTURE -> "video";
            default -> type.name().toLowerCase(Locale.ROOT);
        };
        boolean video = "video".equals(codecType);
        boolean audio = "audio".equals(codecType);
        return new StreamInfo(s.getIndex() == null ? -1 : s.getIndex(), codecType, s.getCodecName(),
                video ? s.getWidth() : null, video ? s.getHeight() : null,
                audio ? s.getSampleRate() : null, audio ? s.getChannels() : null,
                seconds(s.getProbeData()));
    }

    /** The exact "duration" text as a double (Jaffree's getDuration is a float), or null for N/A. */
    private static Double seconds(ProbeData data) {
        String v = data.getString("duration");
        if (v == null) {
            return null;
        }
        try {
            return Double.valueOf(v);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
