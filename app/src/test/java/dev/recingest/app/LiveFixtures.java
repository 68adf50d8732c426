package dev.recingest.app;

import dev.recingest.protocol.RecordingId;
import dev.recingest.state.RecordingStore;
import dev.recingest.storage.S3Store;
import dev.recingest.testkit.RecordingWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** What the live rendition tests share: chunks cut from a file, a chunk written as the gateway writes it, a playlist's URIs. */
final class LiveFixtures {

    private LiveFixtures() {
    }

    /** The file's bytes in ranges of {@code size}. */
    static List<byte[]> byteRanges(Path file, int size) {
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<byte[]> out = new ArrayList<>();
        for (int off = 0; off < all.length; off += size) {
            out.add(Arrays.copyOfRange(all, off, Math.min(all.length, off + size)));
        }
        return out;
    }

    /** Assign, PUT, commit: one chunk under an explicit seq. */
    static void write(RecordingStore store, S3Store s3, RecordingId id, long epoch, long seq, byte[] bytes) {
        new RecordingWriter(store, s3).write(id, epoch, seq, bytes);
    }

    /** The init segment and media segment URIs a playlist names, in order. */
    static List<String> uris(String playlist) {
        List<String> out = new ArrayList<>();
        for (String line : playlist.split("\n")) {
            if (line.startsWith("#EXT-X-MAP:URI=\"")) {
                out.add(line.substring(16, line.indexOf('"', 16)));
            } else if (!line.isBlank() && !line.startsWith("#")) {
                out.add(line.trim());
            }
        }
        return out;
    }

    /**
     * Asserts that an ended playlist names one init segment and then every segment once, in order (no hole, no
     * repeat); its URIs.
     */
    static List<String> assertEverySegmentOnceInOrder(String vod) {
        org.junit.jupiter.api.Assertions.assertTrue(vod.endsWith("#EXT-X-ENDLIST\n"), vod);
        List<String> names = uris(vod);
        List<String> expected = new ArrayList<>();
        expected.add("init-0.mp4");
        for (int i = 0; i < names.size() - 1; i++) {
            expected.add(String.format(java.util.Locale.ROOT, "%08d.m4s", i));
        }
        org.junit.jupiter.api.Assertions.assertEquals(expected, names, "every segment once, in order, one init segment");
        return names;
    }

    /**
     * Skips the calling test where there is no ffprobe program: the fresh-machine run has only the in-JVM
     * prober, which reads local files, not an HLS playlist of presigned HTTP URLs with a protocol whitelist
     * and a frame count. CI runs the live tests again outside that namespace, with the system FFmpeg.
     */
    static void assumeFfprobe() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Media.FFMPEG.ffprobe() != null,
                "no ffprobe program here (only the in-JVM prober): this test probes HLS with ffprobe, so it is skipped");
    }

    /**
     * ffprobe's {@code entries} of a playlist file (local segments, or presigned HTTP URLs with a query string,
     * hence any extension); HLS streams are listed once per program too, so only distinct lines, in order.
     */
    static List<String> probePlaylist(Path playlist, String entries) {
        return Media.run(Media.FFMPEG.ffprobe().toString(), "-v", "error", "-protocol_whitelist", "file,http,tcp",
                "-allowed_extensions", "ALL", "-show_entries", entries, "-of", "csv=p=0", playlist.toString())
                .strip().lines().map(String::trim).filter(l -> !l.isEmpty()).distinct().toList();
    }

    /** A playlist's duration as ffprobe reads it. */
    static double playlistSeconds(Path playlist) {
        return Double.parseDouble(probePlaylist(playlist, "format=duration").get(0));
    }
}
