package dev.recingest.merge;

import java.util.List;
import java.util.Optional;

/**
 * What FFprobe says about a file or stream: its container and its streams.
 *
 * @param formatName      FFprobe's format name, such as {@code matroska,webm} or {@code mpegts}
 * @param durationSeconds the container's duration, or null when it does not know (MediaRecorder WebM)
 */
public record MediaInfo(String formatName, Double durationSeconds, List<StreamInfo> streams) {

    /**
     * One stream, as the manifest lists it. Video streams carry width and height, audio streams sample
     * rate and channels; the rest is null (and left out of the JSON).
     */
    public record StreamInfo(int index, String codecType, String codecName, Integer width, Integer height,
                             Integer sampleRate, Integer channels, Double durationSeconds) {

        public boolean video() {
            return "video".equals(codecType);
        }

        public boolean audio() {
            return "audio".equals(codecType);
        }
    }

    public MediaInfo {
        streams = List.copyOf(streams);
    }

    public Optional<StreamInfo> firstVideo() {
        return streams.stream().filter(StreamInfo::video).findFirst();
    }

    public Optional<StreamInfo> firstAudio() {
        return streams.stream().filter(StreamInfo::audio).findFirst();
    }

    /** True for Matroska/WebM, whose MediaRecorder flavour has blocks without full timestamps. */
    public boolean matroska() {
        return formatName != null && (formatName.contains("matroska") || formatName.contains("webm"));
    }

    public boolean mpegTs() {
        return "mpegts".equals(formatName);
    }

    /**
     * How long this file plays in a sequence of segments: its video stream's duration, falling back to the
     * audio stream's and then the container's. Not the container duration first: that one includes the
     * start skew between audio and video, and summing it over segments drifts (about 9 ms per 2 s
     * MP4 segment measured here).
     */
    public Optional<Double> segmentDuration() {
        return firstVideo().map(StreamInfo::durationSeconds)
                .or(() -> firstAudio().map(StreamInfo::durationSeconds))
                .or(() -> Optional.ofNullable(durationSeconds));
    }
}
