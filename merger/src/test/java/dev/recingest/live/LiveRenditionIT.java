package dev.recingest.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recingest.media.FfmpegBinaries;
import dev.recingest.merge.ByteJoinCommand;
import dev.recingest.merge.MediaFixtures;
import dev.recingest.merge.MediaInfo;
import dev.recingest.merge.TestCluster;
import dev.recingest.protocol.Mode;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.RecordingState;
import dev.recingest.testkit.RecordingWriter;
import dev.recingest.storage.MultipartUploads;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A recording rendered live while its chunks are committed one by one (real Redis, real S3 server, real FFmpeg), then
 * stopped: the playlist lists segments while it records, the merge publishes the rendition's MP4, which equals the
 * batch merge of the same chunks (duration within 0.05 s, same streams, same video frames, a frame at the middle),
 * and the ended playlist reads as a VOD playlist as long as the MP4.
 */
class LiveRenditionIT {

    @TempDir
    static Path dir;
    static TestCluster cluster;
    static LiveMerger workers;

    @BeforeAll
    static void up() {
        cluster = new TestCluster(dir);
        workers = LiveMerger.start(cluster, dir.resolve("work"), MultipartUploads.MIN_PART);
    }

    @AfterAll
    static void down() {
        if (workers != null) {
            workers.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aVp8RecordingIsEncodedLiveAndItsMp4AtStopEqualsTheBatchMerge() throws Exception {
        Path source = MediaFixtures.mediaRecorderWebm(dir, 20);
        record(RecordingId.of("live-vp8"), "video/webm;codecs=vp8,opus", Mode.STREAM,
                MediaFixtures.byteRanges(source, 64 << 10), source, 0);
    }

    @Test
    void h264AacTsSegmentsAreCopiedLive() throws Exception {
        List<Path> segments = MediaFixtures.tsSegments(dir, 20, 1);
        record(RecordingId.of("live-ts"), "video/mp2t", Mode.SEGMENTS, MediaFixtures.readAll(segments), segments.get(0), 1.0);
    }

    /**
     * A page reloaded by a client that knows nothing of parts: a second WebM stream in the same recording's bytes.
     * The rendition (one FFmpeg reading one stream) would make a wrong MP4, so it fails on that chunk, and the merge
     * merges the chunks as parts, at once (no waiting for the rendition), into an MP4 as long as both streams.
     */
    @Test
    void aSecondContainerStreamFailsTheRenditionAndTheMergeJoinsBothStreams() throws Exception {
        RecordingId id = RecordingId.of("live-two-streams");
        Path first = MediaFixtures.mediaRecorderWebm(dir, "first", 6, "320x240", List.of("-c:v", "libvpx", "-b:v", "300k"));
        Path second = MediaFixtures.mediaRecorderWebm(dir, "second", 6, "320x240", List.of("-c:v", "libvpx", "-b:v", "300k"));
        List<byte[]> chunks = new java.util.ArrayList<>(MediaFixtures.byteRanges(first, 32 << 10));
        chunks.addAll(MediaFixtures.byteRanges(second, 32 << 10));
        RecordingWriter.Open recording = cluster.backend.writes.start(id, "video/webm;codecs=vp8,opus", Mode.STREAM, null);
        for (int seq = 0; seq < chunks.size(); seq++) {
            recording.write(seq, chunks.get(seq));
            Thread.sleep(100);
        }
        awaitStatus(id, "state", "FAILED"::equals);
        assertTrue(cluster.recordings.liveIndex().status(id).join().get("error").contains("second container stream"));
        recording.stop(chunks.size() - 1);
        cluster.recordings.mergeQueue().enqueue(id).join();
        var rec = cluster.awaitState(id, Set.of(RecordingState.COMPLETED, RecordingState.FAILED), Duration.ofSeconds(90));
        assertEquals(RecordingState.COMPLETED, rec.state(), "error: " + rec.errorCode() + " " + rec.errorMessage());
        MediaInfo out = cluster.probeOutput(id, dir);
        System.out.printf(Locale.ROOT, "%s: rendition failed on the second stream; merged MP4 %.3f s%n", id,
                out.durationSeconds());
        assertEquals(12.0, out.durationSeconds(), 0.3, "both streams, one after the other");
    }

    /** @param secondsPerChunk the media each chunk holds, when known (0: byte ranges) */
    private void record(RecordingId id, String contentType, Mode mode, List<byte[]> chunks, Path firstChunk,
                        double secondsPerChunk) throws Exception {
        RecordingWriter.Open recording = cluster.backend.writes.start(id, contentType, mode, null);
        for (int seq = 0; seq < chunks.size(); seq++) {
            recording.write(seq, chunks.get(seq));
            if (seq == chunks.size() / 2) {
                // Mid-recording: segments are listed, and the playlist reads as HLS with both streams.
                awaitStatus(id, "segments", s -> Integer.parseInt(s) >= 2);
                Path mid = download(id, dir.resolve(id.value() + "-mid"));
                String text = Files.readString(mid.resolve("live.m3u8"));
                assertTrue(!text.contains("#EXT-X-ENDLIST") && text.contains("#EXT-X-PLAYLIST-TYPE:EVENT"), text);
                MediaInfo m = MediaProbeOfPlaylist.probe(mid.resolve("live.m3u8"));
                assertEquals(2, m.streams().size(), "video and audio in the live playlist: " + m);
                // A live playlist has no duration for FFprobe; what it lists so far, read as a VOD playlist, plays
                // as long as its #EXTINF lines say.
                Files.writeString(mid.resolve("listed.m3u8"), text + "#EXT-X-ENDLIST\n");
                MediaInfo listed = MediaProbeOfPlaylist.probe(mid.resolve("listed.m3u8"));
                System.out.printf(Locale.ROOT, "%s mid-recording: %d segments listed, %.3f s by #EXTINF, %.3f s probed%n",
                        id, text.lines().filter(l -> l.endsWith(".m4s")).count(), listed(text), listed.durationSeconds());
                assertEquals(listed(text), listed.durationSeconds(), 0.1);
                if (secondsPerChunk > 0) {
                    double recorded = (seq + 1) * secondsPerChunk;
                    assertTrue(listed(text) <= recorded + 0.1 && listed(text) >= recorded - 2 * 2.0 - secondsPerChunk,
                            "listed " + listed(text) + " s of " + recorded + " s recorded");
                }
            }
            Thread.sleep(100);
        }
        recording.stop(chunks.size() - 1);
        long stopAt = System.nanoTime();
        cluster.recordings.mergeQueue().enqueue(id).join();
        cluster.awaitState(id, Set.of(RecordingState.COMPLETED, RecordingState.FAILED), Duration.ofSeconds(90));
        double stopToCompleted = (System.nanoTime() - stopAt) / 1e9;
        var rec = cluster.recordings.get(id).join().orElseThrow();
        assertEquals(RecordingState.COMPLETED, rec.state(), "error: " + rec.errorCode() + " " + rec.errorMessage());
        Map<String, String> status = cluster.recordings.liveIndex().status(id).join();
        assertNotNull(status.get("finalAt"), "the rendition staged the MP4: " + status);
        JsonNode manifest = dev.recingest.protocol.Json.MAPPER.readTree(
                cluster.storage.getBytes(cluster.storage.keys().manifest(id)).join());
        assertEquals(chunks.size(), manifest.path("chunks").size(), "every chunk in the manifest");

        MediaInfo fast = cluster.probeOutput(id, dir);
        Path batch = batchMerge(contentType, chunks, firstChunk, dir.resolve(id.value() + "-batch.mp4"));
        JsonNode fj = FfmpegBinaries.locate().prober().probe(TestCluster.downloaded(id, dir), Duration.ofMinutes(1));
        JsonNode bj = FfmpegBinaries.locate().prober().probe(batch, Duration.ofMinutes(1));
        MediaInfo b = MediaProbeOfPlaylist.info(bj);
        System.out.printf(Locale.ROOT, "%s: stop to COMPLETED %.2f s; fast MP4 %.3f s %s frames, batch %.3f s %s frames%n",
                id, stopToCompleted, fast.durationSeconds(), frames(fj), b.durationSeconds(), frames(bj));
        assertEquals(b.durationSeconds(), fast.durationSeconds(), 0.05);
        assertEquals(codecs(b), codecs(fast));
        assertEquals(frames(bj), frames(fj));
        TestCluster.assertSeeksToTheMiddle(id, dir, fast);

        Path vod = download(id, dir.resolve(id.value() + "-vod"));
        String text = Files.readString(vod.resolve("live.m3u8"));
        assertTrue(text.endsWith("#EXT-X-ENDLIST\n"), text);
        MediaInfo v = MediaProbeOfPlaylist.probe(vod.resolve("live.m3u8"));
        assertEquals(fast.durationSeconds(), v.durationSeconds(), 0.1, "the VOD playlist plays as long as the MP4");
    }

    static double listed(String playlist) {
        return playlist.lines().filter(l -> l.startsWith("#EXTINF:"))
                .mapToDouble(l -> Double.parseDouble(l.substring(8, l.indexOf(',')))).sum();
    }

    private static void awaitStatus(RecordingId id, String field, java.util.function.Predicate<String> ok)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        Map<String, String> last = Map.of();
        while (System.nanoTime() < deadline) {
            last = cluster.recordings.liveIndex().status(id).join();
            if (last.containsKey(field) && ok.test(last.get(field))) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("live status of " + id + " never had " + field + " as expected: " + last);
    }

    /** The playlist and every file it names, as a player would fetch them. */
    static Path download(RecordingId id, Path to) throws Exception {
        Files.createDirectories(to);
        var keys = cluster.storage.keys();
        String text = new String(cluster.storage.getBytes(keys.livePlaylist(id)).join(), StandardCharsets.UTF_8);
        Files.writeString(to.resolve("live.m3u8"), text);
        for (String line : text.split("\n")) {
            String name = line.startsWith("#EXT-X-MAP:URI=\"") ? line.substring(16, line.length() - 1)
                    : line.startsWith("#") || line.isBlank() ? null : line.trim();
            if (name != null) {
                Files.write(to.resolve(name), cluster.storage.getBytes(keys.liveFile(id, name)).join());
            }
        }
        return to;
    }

    static Path batchMerge(String contentType, List<byte[]> chunks, Path firstChunk, Path out) throws Exception {
        List<String> cmd = ByteJoinCommand.forRecording(null, contentType, firstChunk, out);
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (OutputStream in = p.getOutputStream()) {
            for (byte[] c : chunks) {
                in.write(c);
            }
        }
        assertEquals(0, p.waitFor());
        return out;
    }

    private static List<String> codecs(MediaInfo m) {
        return m.streams().stream().map(s -> s.codecType() + ":" + s.codecName()).toList();
    }

    static String frames(JsonNode probe) {
        for (JsonNode s : probe.path("streams")) {
            if ("video".equals(s.path("codec_type").asText())) {
                return s.path("nb_frames").asText();
            }
        }
        return "-";
    }

    static byte[] concat(List<byte[]> parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        parts.forEach(out::writeBytes);
        return out.toByteArray();
    }
}
