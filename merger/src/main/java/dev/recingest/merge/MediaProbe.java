package dev.recingest.merge;

import com.github.kokorin.jaffree.JaffreeException;
import com.github.kokorin.jaffree.LogLevel;
import com.github.kokorin.jaffree.StreamType;
import com.github.kokorin.jaffree.ffprobe.FFprobe;
import com.github.kokorin.jaffree.ffprobe.FFprobeResult;
import com.github.kokorin.jaffree.ffprobe.Stream;
import com.github.kokorin.jaffree.ffprobe.data.ProbeData;
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

/** FFprobe through Jaffree, under a timeout, answering {@link MediaInfo}. */
final class MediaProbe {

    static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final Path ffprobe;

    MediaProbe(Path ffprobe) {
        this.ffprobe = ffprobe;
    }

    MediaInfo probe(Path file) throws InterruptedException {
        return run(base().setInput(file), file.getFileName().toString());
    }

    /** Probes bytes that are not a file (the start of a stream-mode recording); nothing goes to disk. */
    MediaInfo probe(InputStream in, String what) throws InterruptedException {
        return run(base().setInput(in), what);
    }

    private FFprobe base() {
        // Errors only: FFprobe's warnings about the cut-off end of a stream prefix are expected.
        return new FFprobe(ffprobe).addArgument("-hide_banner").setLogLevel(LogLevel.ERROR)
                .setShowStreams(true).setShowFormat(true);
    }

    private static MediaInfo run(FFprobe probe, String what) throws InterruptedException {
        Future<FFprobeResult> future = probe.executeAsync();
        FFprobeResult result;
        try {
            result = future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new MergeFailure(MergeError.FFMPEG_FAILED, "ffprobe of " + what + " did not finish within " + TIMEOUT, e);
        } catch (InterruptedException e) {
            future.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof JaffreeException) {
                throw new MergeFailure(MergeError.UNSUPPORTED_MEDIA, "ffprobe cannot read " + what + ": " + c.getMessage(), c);
            }
            throw MergeFailure.from(c);
        }
        return toInfo(result);
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
