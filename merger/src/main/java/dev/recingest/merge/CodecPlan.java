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
public record CodecPlan(String video, String audio, List<String> outputArguments) {

    static final Set<String> COPY_VIDEO = Set.of("h264", "hevc", "vp9", "av1");
    static final Set<String> COPY_AUDIO = Set.of("aac", "opus", "mp3");

    public CodecPlan {
        outputArguments = List.copyOf(outputArguments);
    }

    static CodecPlan choose(MediaInfo input, FfmpegCapabilities caps) {
        CodecPlan streams = streams(input, caps, List.of(), List.of());
        List<String> args = new ArrayList<>(streams.outputArguments());
        args.addAll(List.of("-movflags", "+faststart", "-f", "mp4"));
        return new CodecPlan(streams.video(), streams.audio(), args);
    }

    /**
     * The same codec decisions for the live rendition: a fragmented MP4 (one init, then fragments, so it can be
     * read from a pipe while FFmpeg writes it, see {@code dev.recingest.mp4.FragmentReader}) where an encoded video
     * gets a key frame every {@code keyFrameSeconds} and no others (no scene cuts), so that HLS segments can be
     * cut there, and at the same places again when a rendition is taken over. Copied AAC from MPEG-TS is ADTS,
     * which a fragmented MP4 whose header is written before the first packet cannot have converted for it.
     */
    public static CodecPlan forFragments(MediaInfo input, FfmpegCapabilities caps, double keyFrameSeconds) {
        String every = String.format(java.util.Locale.ROOT, "%.3f", keyFrameSeconds);
        CodecPlan streams = streams(input, caps, List.of("-sc_threshold", "0", "-force_key_frames",
                "expr:gte(t,n_forced*" + every + ")"), List.of("-bsf:a", "aac_adtstoasc"));
        List<String> args = new ArrayList<>(streams.outputArguments());
        // delay_moov: the moov waits for the first packets, so it carries the edit list of a B-frame delay;
        // frag_duration 1: a fragment per packet, written as soon as the next packet says how long it lasts.
        args.addAll(List.of("-flush_packets", "1", "-frag_duration", "1",
                "-movflags", "+empty_moov+delay_moov+default_base_moof", "-f", "mp4"));
        return new CodecPlan(streams.video(), streams.audio(), args);
    }

    /** The stream options: which streams, and each copied or encoded (with {@code encodeVideo} when encoded). */
    private static CodecPlan streams(MediaInfo input, FfmpegCapabilities caps, List<String> encodeVideo,
                                     List<String> copyAac) {
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
            } else {
                video = encodeVideo(caps, args);
                args.addAll(encodeVideo);
            }
        }
        String audio = null;
        if (a.isPresent()) {
            if (COPY_AUDIO.contains(a.get().codecName())) {
                audio = "copy";
                args.addAll(List.of("-c:a", "copy"));
                if ("aac".equals(a.get().codecName())) {
                    args.addAll(copyAac);
                }
            } else {
                audio = "aac";
                args.addAll(List.of("-c:a", "aac", "-b:a", "128k"));
            }
        }
        return new CodecPlan(video, audio, args);
    }

    /**
     * A part's own timeline, copied as it is into the Matroska file the parts are joined from (Matroska holds
     * every codec the merger reads, VP8 included; the MP4's codecs are chosen once, at the join).
     */
    static CodecPlan remux() {
        return new CodecPlan("copy", "copy", List.of("-map", "0:v?", "-map", "0:a?", "-sn", "-dn", "-c", "copy",
                "-f", "matroska"));
    }

    /**
     * Parts whose streams differ (size, codec) joined by the concat filter into the outputs {@code [v]} and
     * {@code [a]}: both encoded, the video as {@link #choose} encodes what MP4 cannot carry, the audio as AAC.
     */
    static CodecPlan encodeJoined(boolean video, boolean audio, FfmpegCapabilities caps) {
        List<String> args = new ArrayList<>();
        String v = null;
        if (video) {
            args.addAll(List.of("-map", "[v]"));
            v = encodeVideo(caps, args);
        }
        String a = null;
        if (audio) {
            args.addAll(List.of("-map", "[a]", "-c:a", "aac", "-b:a", "128k"));
            a = "aac";
        }
        args.addAll(List.of("-movflags", "+faststart", "-f", "mp4"));
        return new CodecPlan(v, a, args);
    }

    /** Adds the options of the video encoder this FFmpeg has (H.264, else MPEG-4 part 2) and names it. */
    private static String encodeVideo(FfmpegCapabilities caps, List<String> args) {
        if (caps.has("libx264")) {
            args.addAll(List.of("-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p"));
        } else {
            args.addAll(List.of("-c:v", "mpeg4", "-q:v", "3", "-pix_fmt", "yuv420p"));
        }
        args.addAll(caps.variableFrameRate());
        return caps.has("libx264") ? "libx264" : "mpeg4";
    }

    /** For logs: "video vp8->libx264, audio opus->copy". */
    public String describe(MediaInfo input) {
        StringBuilder sb = new StringBuilder();
        input.firstVideo().ifPresent(s -> sb.append("video ").append(s.codecName()).append("->").append(video));
        input.firstAudio().ifPresent(s -> sb.append(sb.isEmpty() ? "" : ", ").append("audio ")
                .append(s.codecName()).append("->").append(audio));
        return sb.toString();
    }
}
