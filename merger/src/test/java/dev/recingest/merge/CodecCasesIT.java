package dev.recingest.merge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.recingest.protocol.Mode;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.Recording;
import dev.recingest.state.RecordingState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The MediaRecorder WebM codec cases beside VP8 (which MergeWorkerIT covers with fragmented MP4, MPEG-TS
 * and MP4 segments): VP9, H.264 and AV1 with Opus, in stream mode, cut into byte ranges as a browser
 * delivers them. Each must become a playable MP4 within 0.5 s of the source's duration that seeks to
 * its middle. A codec the installed FFmpeg cannot encode is skipped (an assumption), not failed.
 */
class CodecCasesIT extends OnClassWorker {

    private static final int SECONDS = 8;
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void vp9OpusWebm() throws Exception {
        assumeTrue(MediaFixtures.hasEncoder("libvpx-vp9"), "this ffmpeg has no libvpx-vp9");
        Path source = MediaFixtures.mediaRecorderWebm(Files.createDirectories(dir.resolve("vp9")), "vp9", SECONDS,
                "320x240", List.of("-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-row-mt", "1",
                        "-b:v", "300k"));
        mergeAndCheck("webm-vp9", "video/webm;codecs=vp9,opus", source, "vp9");
    }

    @Test
    void h264OpusWebm() throws Exception {
        Path source = MediaFixtures.mediaRecorderWebmH264(Files.createDirectories(dir.resolve("h264")), SECONDS);
        mergeAndCheck("webm-h264", "video/webm;codecs=h264,opus", source, "h264");
    }

    @Test
    void av1OpusWebm() throws Exception {
        // SVT-AV1 is fast at its fastest preset; libaom needs -cpu-used 8 -row-mt 1 and a small picture.
        List<String> codec = MediaFixtures.hasEncoder("libsvtav1")
                ? List.of("-c:v", "libsvtav1", "-preset", "12")
                : List.of("-c:v", "libaom-av1", "-cpu-used", "8", "-row-mt", "1", "-b:v", "200k");
        assumeTrue(MediaFixtures.hasEncoder("libsvtav1") || MediaFixtures.hasEncoder("libaom-av1"),
                "this ffmpeg has no AV1 encoder");
        Path source = MediaFixtures.mediaRecorderWebm(Files.createDirectories(dir.resolve("av1")), "av1", SECONDS,
                "160x120", codec);
        mergeAndCheck("webm-av1", "video/webm;codecs=av1,opus", source, "av1");
    }

    private void mergeAndCheck(String name, String contentType, Path source, String videoCodec) throws Exception {
        RecordingId id = RecordingId.of(name);
        List<byte[]> chunks = MediaFixtures.byteRanges(source, 32 * 1024);
        cluster.record(id, contentType, Mode.STREAM, null, chunks);
        cluster.recordings.mergeQueue().enqueue(id).join();
        Recording rec = cluster.awaitState(id, Set.of(RecordingState.COMPLETED, RecordingState.FAILED), WAIT);
        assertEquals(RecordingState.COMPLETED, rec.state(), () -> rec.errorCode() + ": " + rec.errorMessage());
        MediaInfo out = cluster.probeOutput(id, dir);
        assertEquals(videoCodec, out.firstVideo().orElseThrow().codecName(), "MP4 carries " + videoCodec + " as it is");
        assertEquals("opus", out.firstAudio().orElseThrow().codecName());
        assertEquals(SECONDS, out.durationSeconds(), 0.5, "output duration vs the " + SECONDS + " s source");
        TestCluster.assertSeeksToTheMiddle(id, dir, out);
    }
}
