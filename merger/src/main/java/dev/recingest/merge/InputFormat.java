package dev.recingest.merge;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * How FFmpeg and FFprobe may read a recording's bytes, which are untrusted: with the demuxer that the
 * recording's {@code contentType} names, never one FFmpeg guesses, and with only the protocols the read
 * needs. A guessed demuxer would follow what the bytes say: an HLS playlist or DASH manifest as the first
 * chunk makes FFmpeg fetch its URLs (requests from the merger host to anywhere), and a "segment" that is a
 * playlist of a local path pulls that file (another recording's, say) into the output. Every run over a
 * recording's bytes, probe or merge, takes its input options from here.
 *
 * <p>The options are the same for ffmpeg and ffprobe and go before the input they apply to:
 * {@code -f} (the demuxer), {@code -protocol_whitelist} (what the input may open; inherited by anything
 * the demuxer opens in turn) and, for the concat demuxer's list, {@code -format_whitelist} (concat copies
 * both lists to each file it opens, so a listed file can only be read as the recording's own format; the
 * concat list itself is written by the merger). A content type outside {@link #DEMUXERS} is refused as
 * UNSUPPORTED_MEDIA before anything runs.
 *
 * @param contentType the recording's content type, as given at start (for messages)
 * @param demuxer     FFmpeg's name of the demuxer that reads it
 */
public record InputFormat(String contentType, String demuxer) {

    /** Content types (without parameters, lower case) and the demuxer that reads them. */
    static final Map<String, String> DEMUXERS = Map.ofEntries(
            Map.entry("video/webm", "matroska"), Map.entry("audio/webm", "matroska"),
            Map.entry("video/x-matroska", "matroska"), Map.entry("audio/x-matroska", "matroska"),
            Map.entry("video/matroska", "matroska"), Map.entry("audio/matroska", "matroska"),
            // The mov demuxer reads MP4, fragmented MP4 (Safari's MediaRecorder) and QuickTime alike.
            Map.entry("video/mp4", "mov"), Map.entry("audio/mp4", "mov"), Map.entry("video/quicktime", "mov"),
            Map.entry("video/x-m4v", "mov"), Map.entry("audio/x-m4a", "mov"),
            Map.entry("video/mp2t", "mpegts"), Map.entry("audio/mp2t", "mpegts"), Map.entry("video/mpegts", "mpegts"),
            // Firefox's MediaRecorder records audio alone as Ogg Opus.
            Map.entry("audio/ogg", "ogg"), Map.entry("video/ogg", "ogg"), Map.entry("application/ogg", "ogg"));

    /** The merger's own output MP4, read back to check it. */
    static final InputFormat OUTPUT_MP4 = new InputFormat("video/mp4", "mov");

    /** Jaffree hands a stream to FFmpeg over a loopback TCP socket (its "pipe" inputs), so that is all it may open. */
    private static final String SOCKET = "tcp";
    private static final String FILE = "file";
    private static final String STDIN = "pipe";

    /**
     * The format of a recording's content type ("video/webm;codecs=vp8,opus" reads as video/webm).
     *
     * @throws MergeFailure UNSUPPORTED_MEDIA for a content type the merger does not read
     */
    public static InputFormat of(String contentType) {
        String demuxer = DEMUXERS.get(baseType(contentType));
        if (demuxer == null) {
            throw new MergeFailure(MergeError.UNSUPPORTED_MEDIA, "contentType " + contentType
                    + " is not one the merger reads; it reads " + String.join(", ", new TreeSet<>(DEMUXERS.keySet())));
        }
        return new InputFormat(contentType, demuxer);
    }

    /** "video/webm;codecs=vp8,opus" is "video/webm". */
    public static String baseType(String contentType) {
        if (contentType == null) {
            return "";
        }
        int semi = contentType.indexOf(';');
        return (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
    }

    public boolean mpegTs() {
        return "mpegts".equals(demuxer);
    }

    public boolean matroska() {
        return "matroska".equals(demuxer);
    }

    /** For a stream Jaffree serves over its loopback socket (a probe of the first chunks, a byte join). */
    List<String> socketOptions() {
        return List.of("-f", demuxer, "-protocol_whitelist", SOCKET);
    }

    /** For a file on the merger's disk (one segment, the output). */
    List<String> fileOptions() {
        return List.of("-f", demuxer, "-protocol_whitelist", FILE);
    }

    /** For standard input ({@code -i pipe:0}: the benchmark's baseline command). */
    public List<String> stdinOptions() {
        return List.of("-f", demuxer, "-protocol_whitelist", STDIN);
    }

    /**
     * For a concat list of segment files in this format. The list names files relative to itself with safe
     * names; each file was probed with {@link #fileOptions()} first, so none of them can start as another
     * concat list (which the format whitelist would still let through).
     */
    List<String> concatListOptions() {
        return List.of("-f", "concat", "-safe", "1", "-protocol_whitelist", FILE, "-format_whitelist", "concat," + demuxer);
    }
}
