package dev.recingest.merge;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recingest.media.MediaProber;
import dev.recingest.media.ProbeException;
import dev.recingest.merge.MediaInfo.StreamInfo;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * FFprobe's answer ({@link MediaProber}: the ffprobe program, or libavformat in the JVM where none is
 * installed) under a timeout, as {@link MediaInfo}; failures as the merge reports them. Every probe reads
 * its input as the {@link InputFormat} it is given, never a format FFprobe guesses, and may open nothing
 * but that input.
 */
public final class MediaProbe {

    static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final MediaProber prober;

    public MediaProbe(MediaProber prober) {
        this.prober = prober;
    }

    public MediaInfo probe(Path file, InputFormat format) throws InterruptedException {
        try {
            return toInfo(prober.probe(file, format.demuxer(), TIMEOUT));
        } catch (ProbeException e) {
            throw failure(e, file.getFileName().toString(), format);
        }
    }

    /** Probes bytes that are not a file (the start of a stream-mode recording). */
    public MediaInfo probe(InputStream in, InputFormat format, String what) throws InterruptedException {
        try {
            return toInfo(prober.probe(in.readAllBytes(), format.demuxer(), TIMEOUT));
        } catch (ProbeException e) {
            throw failure(e, what, format);
        } catch (IOException e) {
            throw MergeFailure.from(e);
        }
    }

    private static MergeFailure failure(ProbeException e, String what, InputFormat format) {
        return e.timedOut()
                ? new MergeFailure(MergeError.FFMPEG_TIMEOUT, "ffprobe of " + what + " did not finish within " + TIMEOUT, e)
                : new MergeFailure(MergeError.UNSUPPORTED_MEDIA, "cannot read " + what + " as " + format.demuxer()
                        + " (contentType " + format.contentType() + "): " + e.getMessage(), e);
    }

    /** FFprobe's JSON ({@code -show_format -show_streams}) as {@link MediaInfo}. */
    public static MediaInfo toInfo(JsonNode probe) {
        List<StreamInfo> streams = new ArrayList<>();
        for (JsonNode s : probe.path("streams")) {
            String codecType = s.path("codec_type").asText("unknown");
            boolean video = "video".equals(codecType);
            boolean audio = "audio".equals(codecType);
            streams.add(new StreamInfo(s.path("index").asInt(-1), codecType, s.path("codec_name").asText(null),
                    video ? integer(s, "width") : null, video ? integer(s, "height") : null,
                    audio ? integer(s, "sample_rate") : null, audio ? integer(s, "channels") : null,
                    seconds(s.path("duration"))));
        }
        JsonNode format = probe.path("format");
        return new MediaInfo(format.path("format_name").asText(null), seconds(format.path("duration")), streams);
    }

    private static Integer integer(JsonNode node, String field) {
        return number(node.path(field), Integer::valueOf);
    }

    /** The exact "duration" text as a double, or null for N/A. */
    private static Double seconds(JsonNode v) {
        return number(v, Double::valueOf);
    }

    /** FFprobe prints some numbers as strings ("48000", "20.021000"), and "N/A" where it knows none. */
    private static <T> T number(JsonNode v, java.util.function.Function<String, T> parse) {
        if (v.isMissingNode() || v.isNull()) {
            return null;
        }
        try {
            return parse.apply(v.asText());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
