package dev.recingest.merge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recingest.media.FfmpegBinaries;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** FFmpeg and FFprobe failures, as the merge reports them. */
class FfmpegJoinIT {

    @TempDir
    Path dir;

    @Test
    void anFfmpegErrorCarriesItsLastOutputLines() throws Exception {
        byte[] ts = Files.readAllBytes(MediaFixtures.tsSegments(dir, 2, 2).get(0));
        CodecPlan broken = new CodecPlan("bogus", null, List.of("-c:v", "no_such_encoder", "-f", "mp4"));
        FfmpegJoin join = new FfmpegJoin(FfmpegBinaries.locate().ffmpeg(), Duration.ofSeconds(30));
        MergeFailure f = assertThrows(MergeFailure.class, () -> join.fromStream(new ByteArrayInputStream(ts), false,
                broken, dir.resolve("out.mp4"), "broken"));
        assertEquals(MergeError.FFMPEG_FAILED, f.error());
        assertTrue(f.getMessage().contains("no_such_encoder"), f.getMessage());
    }

    @Test
    void bytesThatAreNoMediaAreUnsupported() {
        MediaProbe probe = new MediaProbe(FfmpegBinaries.locate().prober());
        byte[] noise = new byte[64 * 1024];
        new java.util.Random(1).nextBytes(noise);
        MergeFailure f = assertThrows(MergeFailure.class,
                () -> CodecPlan.choose(probe.probe(new ByteArrayInputStream(noise), "noise"),
                        new FfmpegCapabilities(java.util.Set.of(), true)));
        assertEquals(MergeError.UNSUPPORTED_MEDIA, f.error());
    }
}
