package dev.recingest.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The codecs of a source's video and audio, which decide the segment container
 * ({@link SegmentPlan#forCodecs}). Known before FFmpeg runs for RTP (the SDP names them), otherwise read
 * from the input section FFmpeg prints when it opens the source (its {@code Stream #0:n: Video: h264}
 * lines, the same in FFmpeg 4.4 and 5.x).
 *
 * @param video the first video stream's codec (FFmpeg's name), or null
 * @param audio the first audio stream's codec, or null
 */
public record InputStreams(String video, String audio) {

    private static final Pattern STREAM_LINE = Pattern.compile(
            "^\\s*Stream #0:\\d+(?:\\[[^\\]]*])?(?:\\([^)]*\\))?: (Video|Audio): ([A-Za-z0-9_]+)");
    private static final Pattern RTPMAP = Pattern.compile("^a=rtpmap:(\\d+) ([A-Za-z0-9_.-]+)/", Pattern.MULTILINE);
    private static final Pattern MEDIA = Pattern.compile("^m=(audio|video) \\d+ \\S+ ([0-9 ]+)$", Pattern.MULTILINE);
    /** RTP encoding names (RFC 4855 and the WebRTC ones) to FFmpeg codec names. */
    private static final Map<String, String> RTP_CODECS = Map.ofEntries(
            Map.entry("h264", "h264"), Map.entry("h265", "hevc"), Map.entry("vp8", "vp8"), Map.entry("vp9", "vp9"),
            Map.entry("av1", "av1"), Map.entry("opus", "opus"), Map.entry("pcmu", "pcm_mulaw"),
            Map.entry("pcma", "pcm_alaw"), Map.entry("g722", "adpcm_g722"), Map.entry("mpeg4-generic", "aac"),
            Map.entry("mp4a-latm", "aac"), Map.entry("mpa", "mp3"), Map.entry("jpeg", "mjpeg"));

    public boolean isEmpty() {
        return video == null && audio == null;
    }

    /** Collects FFmpeg's log lines and tells the input streams once its input section is over. */
    static final class LogReader {
        private String video;
        private String audio;
        private boolean inInput;
        private boolean done;

        /** Feeds one stderr line; true once the input section ended (the streams are known). */
        boolean accept(String line) {
            if (done) {
                return false;
            }
            if (line.startsWith("Input #0")) {
                inInput = true;
                return false;
            }
            if (inInput && (line.startsWith("Output #") || line.startsWith("Stream mapping"))) {
                done = true;
                return true;
            }
            if (inInput) {
                Matcher m = STREAM_LINE.matcher(line);
                if (m.find()) {
                    String codec = m.group(2).toLowerCase(Locale.ROOT);
                    if (m.group(1).equals("Video") && video == null) {
                        video = codec;
                    } else if (m.group(1).equals("Audio") && audio == null) {
                        audio = codec;
                    }
                }
            }
            return false;
        }

        InputStreams streams() {
            return new InputStreams(video, audio);
        }
    }

    /** The first audio and video codec an SDP file announces; unknown encodings keep their lower-case name. */
    public static InputStreams fromSdp(Path sdp) throws IOException {
        return fromSdpText(Files.readString(sdp));
    }

    static InputStreams fromSdpText(String text) {
        String normalized = text.replace("\r\n", "\n");
        Map<String, String> encodingByPayload = new java.util.HashMap<>();
        Matcher r = RTPMAP.matcher(normalized);
        while (r.find()) {
            encodingByPayload.putIfAbsent(r.group(1), r.group(2).toLowerCase(Locale.ROOT));
        }
        String video = null;
        String audio = null;
        List<String> lines = new ArrayList<>(List.of(normalized.split("\n")));
        for (String line : lines) {
            Matcher m = MEDIA.matcher(line.strip());
            if (!m.find()) {
                continue;
            }
            String firstPayload = m.group(2).strip().split(" ")[0];
            String encoding = encodingByPayload.get(firstPayload);
            String codec = encoding == null ? null : RTP_CODECS.getOrDefault(encoding, encoding);
            if (m.group(1).equals("video") && video == null) {
                video = codec;
            } else if (m.group(1).equals("audio") && audio == null) {
                audio = codec;
            }
        }
        return new InputStreams(video, audio);
    }
}
