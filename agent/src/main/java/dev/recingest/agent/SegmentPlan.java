package dev.recingest.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * How a recording's media becomes segments: the container of every segment and, per stream, copy or
 * encode. Stream copy wherever the codec fits the container, since a live recorder should cost next to
 * no CPU; encoding only what no segment container the merger joins can hold.
 *
 * <ul>
 *   <li>MPEG-TS for H.264/HEVC video with AAC, MP3, AC-3 or Opus audio (what RTSP cameras, HLS and a
 *       mediasoup room with H.264 send). TS segments join byte-wise, exactly.</li>
 *   <li>WebM for VP8/VP9/AV1 with Opus or Vorbis (a mediasoup room with VP8): MPEG-TS cannot carry VP8,
 *       and neither can MP4 ({@code DESIGN.md}); the merger joins WebM segments with the concat demuxer
 *       and encodes VP8 to H.264 there, once, instead of here, live.</li>
 *   <li>Anything else: MPEG-TS with the unfit stream encoded (G.711 audio of many cameras to AAC,
 *       MJPEG video to H.264).</li>
 * </ul>
 *
 * @param container      the segment container
 * @param encodeVideo    encode video (H.264) instead of copying it
 * @param encodeAudio    encode audio (AAC in TS, Opus in WebM) instead of copying it
 */
public record SegmentPlan(Container container, boolean encodeVideo, boolean encodeAudio) {

    public enum Container {
        TS("mpegts", "ts", "video/mp2t"),
        WEBM("webm", "webm", "video/webm");

        final String muxer;
        final String extension;
        final String contentType;

        Container(String muxer, String extension, String contentType) {
            this.muxer = muxer;
            this.extension = extension;
            this.contentType = contentType;
        }

        public String contentType() {
            return contentType;
        }

        public String extension() {
            return extension;
        }
    }

    private static final Set<String> TS_VIDEO = Set.of("h264", "hevc");
    private static final Set<String> TS_AUDIO = Set.of("aac", "mp3", "mp2", "ac3", "eac3", "opus");
    private static final Set<String> WEBM_VIDEO = Set.of("vp8", "vp9", "av1");
    private static final Set<String> WEBM_AUDIO = Set.of("opus", "vorbis");

    /** What a run starts with before the source's codecs are known: copy into MPEG-TS. */
    public static final SegmentPlan COPY_TS = new SegmentPlan(Container.TS, false, false);

    public static SegmentPlan forCodecs(InputStreams s) {
        boolean videoTs = s.video() == null || TS_VIDEO.contains(s.video());
        boolean audioTs = s.audio() == null || TS_AUDIO.contains(s.audio());
        if (videoTs) {
            return new SegmentPlan(Container.TS, false, !audioTs);
        }
        if (WEBM_VIDEO.contains(s.video())) {
            return new SegmentPlan(Container.WEBM, false, s.audio() != null && !WEBM_AUDIO.contains(s.audio()));
        }
        return new SegmentPlan(Container.TS, true, !audioTs);
    }

    /** FFmpeg's output options before the segment muxer's: stream selection and codecs. */
    List<String> codecArguments() {
        // FFmpeg's own selection (the best video and the best audio: the top variant of an HLS master
        // playlist); subtitles and data streams (HLS ID3, KLV) have no place in the recording.
        List<String> args = new ArrayList<>(List.of("-sn", "-dn"));
        args.add("-c:v");
        args.addAll(encodeVideo ? List.of("libx264", "-preset", "veryfast", "-g", "50") : List.of("copy"));
        args.add("-c:a");
        if (!encodeAudio) {
            args.add("copy");
        } else if (container == Container.WEBM) {
            args.addAll(List.of("libopus", "-b:a", "64k"));
        } else {
            args.addAll(List.of("aac", "-b:a", "96k"));
        }
        return args;
    }

    /** One line, as stored in the spool's {@code plan} file. */
    String encode() {
        return container + " " + (encodeVideo ? "encode" : "copy") + " " + (encodeAudio ? "encode" : "copy");
    }

    static SegmentPlan decode(String line) {
        String[] p = line.strip().split(" ");
        if (p.length != 3) {
            throw new IllegalArgumentException("unreadable segment plan: " + line);
        }
        return new SegmentPlan(Container.valueOf(p[0]), p[1].equals("encode"), p[2].equals("encode"));
    }

    void save(Path file) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, encode() + "\n");
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public String toString() {
        return "container=" + container.muxer + " video=" + (encodeVideo ? "libx264" : "copy") + " audio="
                + (encodeAudio ? (container == Container.WEBM ? "libopus" : "aac") : "copy");
    }
}
