package dev.recingest.agent.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recingest.media.FfmpegBinaries;
import dev.recingest.protocol.Mode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Cutting with real FFmpeg, measured with real ffprobe. */
@Timeout(120)
class SegmentSourceTest {

    @TempDir
    static Path tmp;
    static Path mp4;

    @BeforeAll
    static void generate() throws Exception {
        mp4 = TestMedia.generate(tmp.resolve("src.mp4"), 10);
    }

    private static SegmentSource cut(Path input) throws Exception {
        return SegmentSource.cut(input, Duration.ofSeconds(2), FfmpegBinaries.locate().ffmpeg(), Duration.ofMinutes(1));
    }

    @Test
    void cutsIntoPlayableSegmentsThatAddUpToTheSource() throws Exception {
        double source = TestMedia.formatDuration(mp4);
        Path dir;
        try (SegmentSource s = cut(mp4)) {
            assertEquals(Mode.SEGMENTS, s.mode());
            assertEquals("video/mp2t", s.contentType());
            assertEquals(5, s.count(), "10 s with a keyframe every second, cut every 2 s");
            dir = s.files().get(0).getParent();
            double videoSum = 0;
            long bytes = 0;
            Path joined = tmp.resolve("joined.ts");
            try (OutputStream out = Files.newOutputStream(joined)) {
                for (int i = 0; i < s.count(); i++) {
                    Path seg = s.files().get(i);
                    assertEquals("mpegts", TestMedia.probe(seg).path("format").path("format_name").asText());
                    assertTrue(TestMedia.startsWithKeyframe(seg), seg + " must start with a keyframe");
                    assertEquals("", TestMedia.decodeErrors(seg).strip(), seg + " must decode on its own");
                    videoSum += TestMedia.streamDuration(seg, "video");
                    byte[] b = s.read(i);
                    bytes += b.length;
                    out.write(b);
                }
            }
            assertEquals(s.totalBytes(), bytes);
            // Per-file format durations overlap by the B-frame delay (audio is interleaved ahead of the
            // keyframe), so the exact measure is the video track, and the byte-join the merger does.
            assertEquals(source, videoSum, 0.3, "sum of segment video durations");
            assertEquals(source, TestMedia.formatDuration(joined), 0.1, "byte-joined segments");
        }
        assertFalse(Files.exists(dir), "close() deletes the segment directory");
    }

    @Test
    void cutsAnMpegTsSourceToo() throws Exception {
        Path ts = TestMedia.generate(tmp.resolve("src.ts"), 6);
        try (SegmentSource s = cut(ts)) {
            assertEquals(3, s.count());
        }
    }

    @Test
    void failsClearlyOnSomethingThatIsNotMediaAndLeavesNothingBehind() throws Exception {
        Path junk = Files.write(tmp.resolve("junk.mp4"), new byte[]{1, 2, 3, 4});
        Set<Path> before = segmentDirs();
        IOException e = assertThrows(IOException.class, () -> cut(junk));
        assertTrue(e.getMessage().contains("ffmpeg could not cut"), e.getMessage());
        assertEquals(before, segmentDirs(), "temporary directory left behind");
    }

    private static Set<Path> segmentDirs() throws IOException {
        try (var list = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return list.filter(p -> p.getFileName().toString().startsWith("recingest-segments-"))
                    .collect(Collectors.toSet());
        }
    }
}
