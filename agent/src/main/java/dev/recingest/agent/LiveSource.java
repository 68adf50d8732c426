package dev.recingest.agent;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What a recording reads, as the user names it: {@code rtsp://…}, an SDP file describing an RTP stream,
 * an {@code http(s)://} HLS playlist, {@code srt://…}, any other URL FFmpeg can open, or a local file.
 * It knows the FFmpeg input options each kind needs; everything else about the run is the recorder's.
 *
 * @param kind          how the location is read
 * @param location      the URL, or the absolute path of a file
 * @param rtspTransport {@code tcp} or {@code udp}: how RTSP media is carried (only for RTSP)
 */
public record LiveSource(Kind kind, String location, String rtspTransport) {

    public enum Kind {
        /** An RTSP camera or server: one TCP connection per FFmpeg run. */
        RTSP,
        /** RTP on UDP ports described by an SDP file, e.g. from a mediasoup PlainTransport. */
        RTP_SDP,
        /** A (live) HLS playlist: ends when the playlist says {@code #EXT-X-ENDLIST}. */
        HLS,
        /** SRT, where FFmpeg was built with libsrt. */
        SRT,
        /** A local media file: read to its end, once. */
        FILE,
        /** Any other URL FFmpeg can open (udp://, rtmp://, http(s) that is not a playlist...). */
        URL
    }

    public static final String DEFAULT_RTSP_TRANSPORT = "tcp";

    public LiveSource {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(location, "location");
        if (!"tcp".equals(rtspTransport) && !"udp".equals(rtspTransport)) {
            throw new IllegalArgumentException("RTSP transport must be tcp or udp, got " + rtspTransport);
        }
    }

    /**
     * Reads a source as a user writes it. A path that ends in {@code .sdp} is an RTP stream, any other
     * existing file is a file; a URL is classified by its scheme ({@code http(s)} is HLS when its path
     * ends in {@code .m3u8}).
     *
     * @throws IllegalArgumentException for a path that does not exist or an SDP file that cannot be read
     */
    public static LiveSource parse(String text, String rtspTransport) {
        Objects.requireNonNull(text, "source");
        String s = text.strip();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("the source is empty");
        }
        int colon = s.indexOf("://");
        if (colon > 0) {
            String scheme = s.substring(0, colon).toLowerCase(Locale.ROOT);
            URI uri = URI.create(s);
            switch (scheme) {
                case "rtsp", "rtsps":
                    return new LiveSource(Kind.RTSP, s, rtspTransport);
                case "srt":
                    return new LiveSource(Kind.SRT, s, rtspTransport);
                case "http", "https":
                    String path = uri.getPath() == null ? "" : uri.getPath().toLowerCase(Locale.ROOT);
                    return new LiveSource(path.endsWith(".m3u8") ? Kind.HLS : Kind.URL, s, rtspTransport);
                case "file":
                    return parse(Path.of(uri).toString(), rtspTransport);
                default:
                    return new LiveSource(Kind.URL, s, rtspTransport);
            }
        }
        Path file = Path.of(s).toAbsolutePath().normalize();
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("the source " + s + " is neither a URL nor an existing file");
        }
        boolean sdp = file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".sdp");
        return new LiveSource(sdp ? Kind.RTP_SDP : Kind.FILE, file.toString(), rtspTransport);
    }

    /** True for sources that end by themselves (a file; HLS once its playlist is closed). */
    public boolean canEnd() {
        return kind == Kind.FILE || kind == Kind.HLS;
    }

    /**
     * True when a run whose output stopped moving is ended and reconnected: a connection (RTSP, HLS,
     * SRT...) can hang. Not RTP: FFmpeg just listens, resumes when packets come back, and ends by itself
     * after 10 s of silence.
     */
    public boolean restartsOnStall() {
        return kind != Kind.RTP_SDP;
    }

    /** The FFmpeg scheme this source needs (to check {@code ffmpeg -protocols}), or null for none. */
    public String protocol() {
        return switch (kind) {
            case RTSP, RTP_SDP, FILE -> null;
            case HLS -> location.toLowerCase(Locale.ROOT).startsWith("https") ? "https" : "http";
            case SRT -> "srt";
            case URL -> location.substring(0, location.indexOf("://")).toLowerCase(Locale.ROOT);
        };
    }

    /**
     * FFmpeg's input options and {@code -i}. {@code firstRun}: an HLS playlist is read from its oldest
     * listed segment, so a recording started after the stream holds everything still listed; a run after
     * a drop starts at the newest segment instead, so nothing already recorded is recorded twice.
     * {@code readTimeout} bounds a read of a URL source (FFmpeg's {@code -rw_timeout}).
     */
    public List<String> inputArguments(boolean firstRun, java.time.Duration readTimeout) {
        List<String> args = new ArrayList<>();
        switch (kind) {
            case RTSP -> args.addAll(List.of("-rtsp_transport", rtspTransport));
            // FFmpeg refuses to open RTP from an SDP file unless these protocols are allowed explicitly.
            case RTP_SDP -> args.addAll(List.of("-protocol_whitelist", "file,udp,rtp"));
            case HLS -> args.addAll(List.of("-live_start_index", firstRun ? "0" : "-1"));
            default -> {
            }
        }
        if (kind == Kind.HLS || kind == Kind.SRT || kind == Kind.URL) {
            // A read that waits this long fails, and FFmpeg ends the run properly (its last segment listed)
            // instead of hanging until it is signalled, which costs the segment in progress.
            args.addAll(List.of("-rw_timeout", Long.toString(readTimeout.toNanos() / 1000)));
        }
        args.add("-i");
        args.add(location);
        return args;
    }

    @Override
    public String toString() {
        return kind + " " + redacted();
    }

    /** The location without the user info of a URL (RTSP cameras often carry a password there). */
    public String redacted() {
        return redact(location);
    }

    private static final Pattern USER_INFO = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*://)[^/@\\s]+@");

    /**
     * {@code text} with the user info of every URL in it replaced by {@code ***}: for what is logged, FFmpeg's
     * command line and its own messages, which name the source URL.
     */
    public static String redact(String text) {
        return text == null ? null : USER_INFO.matcher(text).replaceAll("$1***@");
    }
}
