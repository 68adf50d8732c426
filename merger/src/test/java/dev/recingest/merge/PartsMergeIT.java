package dev.recingest.merge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recingest.media.FfmpegBinaries;
import dev.recingest.protocol.Json;
import dev.recingest.protocol.Mode;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.Recording;
import dev.recingest.state.RecordingState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Recordings of several parts (PROTOCOL.md, "part") through a real merge worker, Redis, S3 server and FFmpeg:
 * each part one continuous timeline, the parts joined in order into one MP4 without the time between them,
 * the manifest listing them. And a stream-mode recording whose bytes hold a second stream that no part
 * declared (issue 12: it ended COMPLETED with the second stream silently dropped).
 */
class PartsMergeIT extends OnClassWorker {

    private static final Duration WAIT = Duration.ofSeconds(120);

    /**
     * Two MediaRecorder WebM streams (VP8 + Opus, live layout) of different picture sizes, as a page that was
     * reloaded and got another camera size sends them: one MP4, in the first part's size, as long as both.
     */
    @Test
    void twoWebmStreamsOfDifferentSizesBecomeOneMp4() throws Exception {
        Path a = MediaFixtures.mediaRecorderWebm(Files.createDirectories(dir.resolve("webm-a")), "a", 6, "320x240",
                vp8());
        Path b = MediaFixtures.mediaRecorderWebm(Files.createDirectories(dir.resolve("webm-b")), "b", 5, "640x360",
                vp8());
        RecordingId id = RecordingId.of("parts-webm-sizes");
        cluster.recordParts(id, "video/webm;codecs=vp8,opus", Mode.STREAM,
                List.of(MediaFixtures.byteRanges(a, 32 * 1024), MediaFixtures.byteRanges(b, 32 * 1024)));
        MediaInfo out = mergeAndProbe(id);
        double da = duration(a);
        double db = duration(b);
        JsonNode parts = manifest(id).get("parts");
        System.out.printf(Locale.ROOT, "parts webm: part 0 %.3f s 320x240, part 1 %.3f s 640x360; MP4 %.3f s %dx%d "
                        + "(manifest parts %.3f s + %.3f s)%n", da, db, out.durationSeconds(),
                out.firstVideo().orElseThrow().width(), out.firstVideo().orElseThrow().height(),
                parts.get(0).get("durationSeconds").asDouble(), parts.get(1).get("durationSeconds").asDouble());
        assertEquals(320, out.firstVideo().orElseThrow().width(), "the first part's size");
        assertEquals(240, out.firstVideo().orElseThrow().height());
        assertEquals("h264", out.firstVideo().orElseThrow().codecName());
        assertTrue(out.firstAudio().isPresent(), "audio through both parts");
        assertEquals(da + db, out.durationSeconds(), 0.5, "the MP4 plays both parts, nothing between them");
        assertEquals(2, parts.size());
        assertEquals(0, parts.get(0).get("firstIndex").asLong());
        long firstOfB = MediaFixtures.byteRanges(a, 32 * 1024).size();
        assertEquals(firstOfB, parts.get(1).get("firstIndex").asLong());
        assertEquals(firstOfB, parts.get(0).get("chunks").asLong());
        assertEquals(MediaFixtures.byteRanges(b, 32 * 1024).size(), parts.get(1).get("chunks").asLong());
        assertEquals(da, parts.get(0).get("durationSeconds").asDouble(), 0.1);
        assertEquals(db, parts.get(1).get("durationSeconds").asDouble(), 0.1);
        assertTrue(parts.get(1).get("declared").asBoolean());
        assertTrue(parts.get(1).hasNonNull("startedAt"), "the part's wall-clock start");
        // Seekable in both parts.
        MediaFixtures.assertDecodesFrameAt(TestCluster.downloaded(id, dir), da / 2);
        MediaFixtures.assertDecodesFrameAt(TestCluster.downloaded(id, dir), da + db / 2);
    }

    /**
     * Two runs of MPEG-TS segments whose timestamps both start at zero (a recorder whose FFmpeg restarted), in
     * segments mode: the video is copied (same codec and size in both runs) and the MP4 is as long as both.
     */
    @Test
    void twoTsSegmentRunsStartingAtZeroBecomeOneMp4() throws Exception {
        List<Path> first = MediaFixtures.tsSegments(Files.createDirectories(dir.resolve("ts-a")), 6, 2);
        List<Path> second = MediaFixtures.tsSegments(Files.createDirectories(dir.resolve("ts-b")), 4, 2);
        assertEquals(startTime(first.get(0)), startTime(second.get(0)), 0.001, "both runs start at the same timestamp");
        RecordingId id = RecordingId.of("parts-ts-runs");
        cluster.recordParts(id, "video/mp2t", Mode.SEGMENTS, List.of(MediaFixtures.readAll(first), MediaFixtures.readAll(second)));
        MediaInfo out = mergeAndProbe(id);
        double da = joined(first);
        double db = joined(second);
        System.out.printf(Locale.ROOT, "parts ts: run 0 %d segments %.3f s, run 1 %d segments %.3f s; MP4 %.3f s %s %dx%d%n",
                first.size(), da, second.size(), db, out.durationSeconds(), out.firstVideo().orElseThrow().codecName(),
                out.firstVideo().orElseThrow().width(), out.firstVideo().orElseThrow().height());
        assertEquals("h264", out.firstVideo().orElseThrow().codecName());
        assertEquals("aac", out.firstAudio().orElseThrow().codecName());
        assertEquals(da + db, out.durationSeconds(), 0.5, "the MP4 plays both runs one after the other");
        JsonNode parts = manifest(id).get("parts");
        assertEquals(2, parts.size());
        assertEquals(first.size(), parts.get(1).get("firstIndex").asLong());
        assertEquals(second.size(), parts.get(1).get("chunks").asLong());
        MediaFixtures.assertDecodesFrameAt(TestCluster.downloaded(id, dir), da + db / 2);
    }

    /**
     * Issue 12, item 4 (failed before: COMPLETED with a 10.07 s MP4, the second stream dropped): a stream-mode
     * recording whose bytes are two 10 s VP8/Opus WebM streams one after the other, cut into byte ranges that
     * do not respect the streams (the second header lies inside a chunk), with no part declared. The merger
     * finds the second stream and joins it as a part; the manifest says it found it.
     */
    @Test
    void aSecondStreamNobodyDeclaredIsJoinedAsAPart() throws Exception {
        Path a = MediaFixtures.mediaRecorderWebm(Files.createDirectories(dir.resolve("undeclared-a")), 10);
        Path b = MediaFixtures.mediaRecorderWebm(Files.createDirectories(dir.resolve("undeclared-b")), 10);
        Path both = dir.resolve("undeclared.webm");
        Files.write(both, Files.readAllBytes(a));
        Files.write(both, Files.readAllBytes(b), java.nio.file.StandardOpenOption.APPEND);
        RecordingId id = RecordingId.of("parts-undeclared");
        List<byte[]> chunks = MediaFixtures.byteRanges(both, 100_000);
        assertTrue(Files.size(a) % 100_000 != 0, "the second stream starts inside a chunk");
        cluster.record(id, "video/webm;codecs=vp8,opus", Mode.STREAM, null, chunks);
        MediaInfo out = mergeAndProbe(id);
        double da = duration(a);
        double db = duration(b);
        JsonNode parts = manifest(id).get("parts");
        System.out.printf(Locale.ROOT, "undeclared second stream: streams %.3f s + %.3f s; MP4 %.3f s; parts %s%n", da, db,
                out.durationSeconds(), parts);
        assertEquals(da + db, out.durationSeconds(), 0.5, "both streams are in the MP4");
        assertEquals(2, parts.size());
        assertFalse(parts.get(1).get("declared").asBoolean(), "the merger found the second part");
        assertEquals(Files.size(a) / 100_000, parts.get(1).get("firstIndex").asLong());
        assertEquals(Files.size(a) % 100_000, parts.get(1).get("firstByte").asLong());
        MediaFixtures.assertDecodesFrameAt(TestCluster.downloaded(id, dir), da + db / 2);
    }

    private MediaInfo mergeAndProbe(RecordingId id) throws Exception {
        cluster.recordings.mergeQueue().enqueue(id).join();
        Recording rec = cluster.awaitState(id, Set.of(RecordingState.COMPLETED, RecordingState.FAILED), WAIT);
        assertEquals(RecordingState.COMPLETED, rec.state(), () -> rec.errorCode() + ": " + rec.errorMessage());
        return cluster.probeOutput(id, dir);
    }

    private JsonNode manifest(RecordingId id) throws Exception {
        return Json.MAPPER.readTree(cluster.storage.getBytes(cluster.storage.keys().manifest(id)).join());
    }

    private static List<String> vp8() {
        return List.of("-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "400k");
    }

    /** What the project's prober says a file plays for. */
    private static double duration(Path file) throws Exception {
        // MediaRecorder's WebM has no duration: remuxed (copied) to learn it, as a player would play it.
        Path copy = file.resolveSibling(file.getFileName() + ".mkv");
        ffmpeg("-i", file.toString(), "-c", "copy", copy.toString());
        return MediaProbe.toInfo(FfmpegBinaries.locate().prober().probe(copy, Duration.ofMinutes(1))).durationSeconds();
    }

    private static double joined(List<Path> segments) throws Exception {
        Path ts = segments.get(0).resolveSibling("joined.ts");
        List<byte[]> all = MediaFixtures.readAll(segments);
        try (var out = Files.newOutputStream(ts)) {
            for (byte[] b : all) {
                out.write(b);
            }
        }
        return MediaProbe.toInfo(FfmpegBinaries.locate().prober().probe(ts, Duration.ofMinutes(1))).durationSeconds();
    }

    private static double startTime(Path file) throws Exception {
        return FfmpegBinaries.locate().prober().probe(file, Duration.ofMinutes(1)).path("format").path("start_time").asDouble();
    }

    private static void ffmpeg(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(FfmpegBinaries.locate().ffmpeg().toString(), "-hide_banner",
                "-loglevel", "error", "-nostdin", "-y"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException(cmd + "\n" + log);
        }
    }
}
