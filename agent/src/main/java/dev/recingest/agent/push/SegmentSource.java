package dev.recingest.agent.push;

import dev.recingest.protocol.Mode;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code segments} mode: the file cut by FFmpeg into complete MPEG-TS segments, one chunk each.
 *
 * <p>The cut is {@code -c copy} with the segment muxer, so it happens at video keyframes and each
 * segment starts with one and plays alone. {@code -reset_timestamps 0} keeps the source's timestamps,
 * which is what makes the merger's byte-wise join exact (measured: 5 × 2 s segments of a 10.000 s
 * source join to 10.027 s, the last audio frame). Only video and audio are mapped: MPEG-TS cannot carry
 * an MP4's data or timecode tracks. Codecs MPEG-TS cannot hold (VP8, VP9) make FFmpeg fail, and the
 * error says so; such input belongs in {@code stream} mode.
 *
 * <p>FFmpeg runs as a plain process rather than through Jaffree: it is one fixed command with no
 * progress to parse, and the client module stays free of that dependency.
 */
public final class SegmentSource implements ChunkSource {

    private static final Logger LOG = LoggerFactory.getLogger(SegmentSource.class);
    public static final Duration DEFAULT_SEGMENT_TIME = Duration.ofSeconds(4);
    private static final String PREFIX = "seg-";

    private final Path dir;
    private final List<Path> segments;
    private final long totalBytes;

    private SegmentSource(Path dir, List<Path> segments, long totalBytes) {
        this.dir = dir;
        this.segments = segments;
        this.totalBytes = totalBytes;
    }

    /**
     * Cuts {@code input} into segments of about {@code segmentTime} (longer where keyframes are
     * further apart) in a new temporary directory, which {@link #close()} deletes.
     */
    public static SegmentSource cut(Path input, Duration segmentTime, Path ffmpeg, Duration timeout)
            throws IOException, InterruptedException {
        if (!Files.isRegularFile(input)) {
            throw new IllegalArgumentException(input + " is not a file");
        }
        Path dir = Files.createTempDirectory("recingest-segments-");
        try {
            Path log = dir.resolve("ffmpeg.log");
            List<String> cmd = List.of(ffmpeg.toString(), "-nostdin", "-hide_banner", "-loglevel", "error",
                    "-i", input.toString(), "-map", "0:v?", "-map", "0:a?", "-c", "copy",
                    "-f", "segment", "-segment_time", seconds(segmentTime), "-segment_format", "mpegts",
                    "-reset_timestamps", "0", dir.resolve(PREFIX + "%06d.ts").toString());
            LOG.atDebug().addKeyValue("command", String.join(" ", cmd)).log("cutting segments");
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException("ffmpeg did not finish cutting " + input + " within " + timeout);
            }
            if (p.exitValue() != 0) {
                throw new IOException("ffmpeg could not cut " + input + " into MPEG-TS segments (exit "
                        + p.exitValue() + "): " + tail(log));
            }
            List<Path> segments = list(dir);
            if (segments.isEmpty()) {
                throw new IOException("ffmpeg produced no segments from " + input + ": " + tail(log));
            }
            long total = 0;
            for (Path s : segments) {
                total += Files.size(s);
            }
            LOG.atInfo().addKeyValue("file", input.getFileName()).addKeyValue("segments", segments.size())
                    .addKeyValue("bytes", total).addKeyValue("dir", dir).log("file cut into segments");
            return new SegmentSource(dir, segments, total);
        } catch (IOException | InterruptedException | RuntimeException e) {
            deleteTree(dir);
            throw e;
        }
    }

    /** The segment files, in order; valid until {@link #close()}. */
    public List<Path> files() {
        return segments;
    }

    @Override
    public String contentType() {
        return ContentTypes.MPEG_TS;
    }

    @Override
    public Mode mode() {
        return Mode.SEGMENTS;
    }

    @Override
    public int count() {
        return segments.size();
    }

    @Override
    public byte[] read(int index) throws IOException {
        return Files.readAllBytes(segments.get(index));
    }

    @Override
    public long totalBytes() {
        return totalBytes;
    }

    @Override
    public void close() throws IOException {
        deleteTree(dir);
    }

    private static List<Path> list(Path dir) throws IOException {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, PREFIX + "*.ts")) {
            for (Path p : ds) {
                if (Files.size(p) > 0) {
                    files.add(p);
                }
            }
        }
        // Numeric order, not lexical: past 999999 segments the names grow a digit.
        files.sort(Comparator.comparingLong(SegmentSource::number));
        return files;
    }

    private static long number(Path segment) {
        String n = segment.getFileName().toString();
        return Long.parseLong(n.substring(PREFIX.length(), n.length() - ".ts".length()));
    }

    private static String seconds(Duration d) {
        return String.format(java.util.Locale.ROOT, "%.3f", d.toMillis() / 1000.0);
    }

    private static String tail(Path log) {
        try {
            String s = Files.readString(log).strip();
            return s.length() > 2000 ? "..." + s.substring(s.length() - 2000) : s;
        } catch (IOException e) {
            return "(no ffmpeg log)";
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
