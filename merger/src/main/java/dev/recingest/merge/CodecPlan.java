package dev.recingest.merge;

import dev.recingest.merge.MediaInfo.StreamInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * How the output MP4 gets its streams: copied when MP4 can carry the codec, otherwise transcoded.
 * Copying is exact and fast; a transcode costs CPU and a generation of quality, so it happens only
 * where it must (VP8 from MediaRecorder is the common case).
 *
 * @param video            "copy", the encoder used, or null when there is no video
 * @param audio            "copy", the encoder used, or null when there is no audio
 * @param outputArguments  FFmpeg output options, in order, before the output file
 */
record CodecPlan(String video, String audio, List<String> outputArguments) {

    static final Set<String> COPY_VIDEO = Set.of("h264", "hevc", "vp9", "av1");
    static final Set<String> COPY_AUDIO = Set.of("aac", "opus", "mp3");

    CodecPlan {
        outputArguments = List.copyOf(outputArguments);
    }

    static CodecPlan choose(MediaInfo input, FfmpegCapabilities caps) {
        Optional<StreamInfo> v = input.firstVideo();
        Optional<StreamInfo> a = input.firstAudio();
        if (v.isEmpty() && a.isEmpty()) {
            throw new MergeFailure(MergeError.UNSUPPORTED_MEDIA, "no audio or video stream found (format "
                    + input.formatName() + ", streams " + input.streams().size() + ")");
        }
        // Only audio and video go into the MP4: MPEG-TS data streams (ID3, SCTE-35) and subtitles
        // would either fail the mux or be dropped silently anyway.
        List<String> args = new ArrayList<>(List.of("-map", "0:v?", "-map", "0:a?", "-sn", "-dn"));
        String video = null;
        if (v.isPresent()) {
            String codec = v.get().codecName();
            if (COPY_VIDEO.contains(codec)) {
                video = "copy";
                args.addAll(List.of("-c:v", "copy"));
                if ("hevc".equals(codec)) {
                    // Apple players only play HEVC in MP4 tagged hvc1 (FFmpeg's default tag is hev1).
                    args.addAll(List.of("-tag:v", "hvc1"));
                }
            } else if (caps.has("libx264")) {
                video = "libx264";
                args.addAll(List.of("-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p"));
                args.addAll(caps.variableFrameRate());
            } else {
                video = "mpeg4";
                args.addAll(List.of("-c:v", "mpeg4", "-q:v", "3", "-pix_fmt", "yuv420p"));
                args.addAll(caps.variableFrameRate());
            }
        }
        String audio = null;
        if (a.isPresent()) {
            if (COPY_AUDIO.contains(a.get().codecName())) {
                audio = "copy";
                args.addAll(List.of("-c:a", "copy"));
            } else {
                audio = "aac";
                args.addAll(List.of("-c:a", "aac", "-b:a", "128k"));
            }
        }
        args.addAll(List.of("-movflags", "+faststart", "-f", "mp4"));
        return new CodecPlan(video, audio, args);
    }

    /** For logs: "video vp8->libx264, audio opus->copy". */
    String describe(MediaInfo input) {
        StringBuilder sb = new StringBuilder();
        input.firstVideo().ifPresent(s -> sb.append("video ").append(s.codecName()).append("->").append(video));
        input.firstAudio().ifPresent(s -> sb.append(sb.isEmpty() ? "" : ", ").append("audio ")
                .append(s.codecName()).append("->").append(audio));
        return sb.toString();
    }
}
