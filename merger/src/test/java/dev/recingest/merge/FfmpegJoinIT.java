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
import java.util.concurrent.TimeUnit;
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
        FfmpegJoin join = new FfmpegJoin(FfmpegBinaries.locate().ffmpeg(), Duration.ofMinutes(2));
        MergeFailure f = assertThrows(MergeFailure.class, () -> join.fromStream(new ByteArrayInputStream(ts),
                InputFormat.of("video/mp2t"), broken, dir.resolve("out.mp4"), "broken", () -> 0, Duration.ofSeconds(30)));
        assertEquals(MergeError.FFMPEG_FAILED, f.error());
        assertTrue(f.getMessage().contains("no_such_encoder"), f.getMessage());
    }

    /**
     * Issue 12, item 4: FFmpeg can end normally without reading its input to the end, and the bytes it left may
     * all fit in the socket's buffers. Here it is told to stop after 1 s of output (-t 1) of a 20 s stream of
     * about 2 MB: the run must not pass as a merge of the whole input.
     */
    @Test
    void anFfmpegThatStopsBeforeTheEndOfItsInputIsAFailure() throws Exception {
        byte[] ts = Files.readAllBytes(MediaFixtures.tsSegments(dir, 20, 20).get(0));
        CodecPlan early = new CodecPlan("copy", "copy", List.of("-t", "1", "-c", "copy", "-f", "mp4"));
        FfmpegJoin join = new FfmpegJoin(FfmpegBinaries.locate().ffmpeg(), Duration.ofMinutes(2));
        MergeFailure f = assertThrows(MergeFailure.class, () -> join.fromStream(new ByteArrayInputStream(ts),
                InputFormat.of("video/mp2t"), early, dir.resolve("early.mp4"), "early", () -> 0, Duration.ofSeconds(60)));
        assertEquals(MergeError.FFMPEG_FAILED, f.error());
        assertTrue(f.getMessage().contains("without reading all of its input"), f.getMessage());
        System.out.printf("ffmpeg -t 1 over %d bytes: %s%n", ts.length, f.getMessage());

        // The same input read to its end passes.
        CodecPlan whole = new CodecPlan("copy", "copy", List.of("-c", "copy", "-f", "mp4"));
        join.fromStream(new ByteArrayInputStream(ts), InputFormat.of("video/mp2t"), whole, dir.resolve("whole.mp4"),
                "whole", () -> 0, Duration.ofSeconds(60));
    }

    @Test
    void bytesThatAreNoMediaAreUnsupported() {
        MediaProbe probe = new MediaProbe(FfmpegBinaries.locate().prober());
        byte[] noise = new byte[64 * 1024];
        new java.util.Random(1).nextBytes(noise);
        MergeFailure f = assertThrows(MergeFailure.class,
                () -> CodecPlan.choose(probe.probe(new ByteArrayInputStream(noise), InputFormat.of("video/webm"), "noise"),
                        new FfmpegCapabilities(java.util.Set.of(), true)));
        assertEquals(MergeError.UNSUPPORTED_MEDIA, f.error());
        assertTrue(f.getMessage().contains("as matroska (contentType video/webm)"), f.getMessage());
    }

    @Test
    void anFfmpegThatMakesNoProgressIsStoppedAfterTheStallTimeout() throws Exception {
        // A segment that is a FIFO nobody writes to: FFmpeg blocks opening it, reads nothing, writes nothing.
        Path fifo = dir.resolve("seg-0000000000.ts");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertTrue(mkfifo.waitFor(10, TimeUnit.SECONDS) && mkfifo.exitValue() == 0, "mkfifo");
        Path list = Files.writeString(dir.resolve("concat.txt"), "ffconcat version 1.0\nfile 'seg-0000000000.ts'\n");
        FfmpegJoin join = new FfmpegJoin(FfmpegBinaries.locate().ffmpeg(), Duration.ofSeconds(2));
        CodecPlan copy = new CodecPlan("copy", "copy", List.of("-c", "copy", "-f", "mp4"));
        Duration limit = Duration.ofMinutes(10);
        long started = System.nanoTime();
        Path out = dir.resolve("out.mp4");
        try {
            MergeFailure f = assertThrows(MergeFailure.class, () -> join.fromConcatList(list, InputFormat.of("video/mp2t"),
                    copy, out, "stalled", limit));
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            assertEquals(MergeError.FFMPEG_TIMEOUT, f.error());
            assertTrue(f.getMessage().contains("made no progress for PT2S"), f.getMessage());
            assertTrue(took.compareTo(limit) < 0, "stopped by the stall watchdog, not the time limit: " + took);
            // Stopped means gone: an FFmpeg blocked opening the FIFO ignores the quit and SIGTERM it is sent first.
            assertEquals(List.of(), writing(out), "the stalled FFmpeg is still running");
        } finally {
            writing(out).forEach(ProcessHandle::destroyForcibly);
        }
    }

    /** This JVM's FFmpeg runs that write {@code output}. */
    private static List<ProcessHandle> writing(Path output) {
        return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .filter(p -> p.info().arguments().map(a -> List.of(a).contains(output.toString())).orElse(false))
                .toList();
    }
}
