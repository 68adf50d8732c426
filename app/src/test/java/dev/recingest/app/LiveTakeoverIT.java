package dev.recingest.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recingest.merge.ByteJoinCommand;
import dev.recingest.protocol.Mode;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.Outcomes;
import dev.recingest.state.Recording;
import dev.recingest.state.RecordingState;
import dev.recingest.testkit.Backend;
import dev.recingest.testkit.Waits;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live rendition survives its merger: a merger process ({@code Main merger}, live rendition on by default)
 * renders a recording while its chunks are committed, is killed with kill -9 (its FFmpeg too) mid-recording, and
 * a second merger process takes the rendition over once the lease lapses. The playlist has every segment once, in
 * order, the segments published before the kill are not rewritten, and the MP4 the second merger publishes from
 * the rendition equals the batch merge of the same chunks.
 */
class LiveTakeoverIT {

    private static final Pattern RESUMED = Pattern.compile("resumedAfterSegments=\"?(\\d+)");

    @TempDir
    static Path dir;
    static Backend backend;

    @BeforeAll
    static void up() {
        backend = Backend.start(dir);
    }

    @AfterAll
    static void down() {
        backend.close();
    }

    private static Map<String, String> mergerEnv(String workDir) throws Exception {
        return backend.env(Map.of(
                "RECINGEST_MERGE_WORK_DIR", Files.createDirectories(dir.resolve(workDir)).toString(),
                "RECINGEST_MERGE_POLL", "500ms",
                "RECINGEST_LIVE_LEASE", "3s",
                "RECINGEST_LIVE_POLL", "200ms"));
    }

    @Test
    void aLiveRenditionWhoseMergerIsKilledIsTakenOverWithNoHoleAndNoRepeatedSegment() throws Exception {
        LiveFixtures.assumeFfprobe();
        RecordingId id = RecordingId.of("live-takeover");
        Path source = Media.tsH264Aac(Files.createDirectories(dir.resolve("src")), 30, "640x360");
        List<byte[]> chunks = LiveFixtures.byteRanges(source, 32 << 10);
        String contentType = "video/mp2t";
        Outcomes.StartOutcome started = backend.store.ledger().start(id, contentType, Mode.STREAM, "").join();
        int half = chunks.size() / 2;
        Map<String, byte[]> publishedBeforeKill = new LinkedHashMap<>();
        try (MergerProcess first = MergerProcess.start(mergerEnv("work-first"), List.of("-Xmx256m"),
                dir.resolve("merger-first.log"))) {
            for (int seq = 0; seq < half; seq++) {
                LiveFixtures.write(backend.store, backend.s3, id, started.epoch(), seq, chunks.get(seq));
                Thread.sleep(30);
            }
            Waits.until(() -> segments(id) >= 3, Duration.ofSeconds(60), "the first merger lists 3 segments:\n"
                    + first.logTail());
            first.kill();
            // What a player could have fetched at the moment of the kill.
            String playlist = text(backend.s3.keys().livePlaylist(id));
            assertFalse(playlist.contains("#EXT-X-ENDLIST"), playlist);
            for (String name : LiveFixtures.uris(playlist)) {
                publishedBeforeKill.put(name, backend.s3.getBytes(backend.s3.keys().liveFile(id, name)).join());
            }
        }
        // The recording goes on with no live worker at all, then a second merger comes.
        for (int seq = half; seq < chunks.size(); seq++) {
            LiveFixtures.write(backend.store, backend.s3, id, started.epoch(), seq, chunks.get(seq));
        }
        Path secondLog = dir.resolve("merger-second.log");
        try (MergerProcess second = MergerProcess.start(mergerEnv("work-second"), List.of("-Xmx256m"), secondLog)) {
            Waits.until(() -> RESUMED.matcher(read(secondLog)).find(), Duration.ofSeconds(60),
                    "the second merger takes the rendition over:\n" + second.logTail());
            assertEquals(Outcomes.StopKind.STOPPED,
                    backend.store.ledger().stop(id, started.epoch(), (long) chunks.size() - 1).join().kind());
            backend.store.mergeQueue().enqueue(id).join();
            Recording rec = backend.awaitState(id, Set.of(RecordingState.COMPLETED, RecordingState.FAILED),
                    Duration.ofSeconds(120));
            assertEquals(RecordingState.COMPLETED, rec.state(), () -> rec.errorCode() + ": " + rec.errorMessage()
                    + "\n" + second.logTail());
            String log = read(secondLog);
            Matcher resumed = RESUMED.matcher(log);
            assertTrue(resumed.find());
            int resumedAfter = Integer.parseInt(resumed.group(1));
            int listedBeforeKill = publishedBeforeKill.size() - 1; // and the init segment
            assertTrue(resumedAfter >= listedBeforeKill,
                    "continued after the segments listed before the kill (" + listedBeforeKill + "), not from "
                            + "scratch: resumedAfterSegments=" + resumedAfter);
            assertTrue(log.contains("merge from live rendition recording=" + id.value() + " "),
                    "the MP4 came from the rendition:\n" + second.logTail());

            String vod = text(backend.s3.keys().livePlaylist(id));
            List<String> names = LiveFixtures.assertEverySegmentOnceInOrder(vod);
            for (Map.Entry<String, byte[]> e : publishedBeforeKill.entrySet()) {
                assertArrayEquals(e.getValue(), backend.s3.getBytes(backend.s3.keys().liveFile(id, e.getKey())).join(),
                        e.getKey() + " was published before the kill and is not rewritten");
            }

            Path local = Files.createDirectories(dir.resolve("vod"));
            for (String name : names) {
                Files.write(local.resolve(name), backend.s3.getBytes(backend.s3.keys().liveFile(id, name)).join());
            }
            Files.writeString(local.resolve("live.m3u8"), vod);
            Path mp4 = dir.resolve("fast.mp4");
            Files.write(mp4, backend.s3.getBytes(rec.outputKey()).join());
            Path batch = batchMerge(contentType, chunks, source, dir.resolve("batch.mp4"));
            double vodSeconds = LiveFixtures.playlistSeconds(local.resolve("live.m3u8"));
            double fastSeconds = Media.duration(mp4);
            double batchSeconds = Media.duration(batch);
            long vodFrames = countedVideoFrames(local.resolve("live.m3u8"));
            String fastFrames = videoFrames(Media.probe(mp4));
            String batchFrames = videoFrames(Media.probe(batch));
            System.out.printf(Locale.ROOT, "live takeover: killed after %d listed segments, resumed after %d; VOD "
                            + "playlist %d segments %.3f s %d frames; fast MP4 %.3f s %s frames; batch merge %.3f s %s frames%n",
                    publishedBeforeKill.size() - 1, resumedAfter, names.size() - 1, vodSeconds, vodFrames, fastSeconds,
                    fastFrames, batchSeconds, batchFrames);
            assertEquals(batchSeconds, fastSeconds, 0.05, "the fast MP4 is as long as the batch merge");
            assertEquals(batchFrames, fastFrames, "the fast MP4 has the batch merge's frames");
            assertEquals(Long.parseLong(batchFrames), vodFrames, "the playlist has every frame once");
            assertEquals(30.0, vodSeconds, 0.1, "the VOD playlist plays as long as what was recorded");
            assertEquals(Media.streamTypes(batch), Media.streamTypes(mp4));
            Media.decodeFrameAt(mp4, fastSeconds / 2);
        }
    }

    private static int segments(RecordingId id) {
        return Integer.parseInt(backend.store.liveIndex().status(id).join().getOrDefault("segments", "0"));
    }

    private static String text(String key) {
        return new String(backend.s3.getBytes(key).join(), StandardCharsets.UTF_8);
    }

    private static String read(Path log) {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (java.io.IOException e) {
            return "";
        }
    }

    static Path batchMerge(String contentType, List<byte[]> chunks, Path firstChunk, Path out) throws Exception {
        Process p = new ProcessBuilder(ByteJoinCommand.forRecording(null, contentType, firstChunk, out))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (OutputStream in = p.getOutputStream()) {
            for (byte[] c : chunks) {
                in.write(c);
            }
        }
        assertEquals(0, p.waitFor());
        return out;
    }

    static String videoFrames(JsonNode probe) {
        for (JsonNode s : probe.path("streams")) {
            if ("video".equals(s.path("codec_type").asText())) {
                return s.path("nb_frames").asText();
            }
        }
        return "-";
    }

    /** Video frames read from a playlist (ffprobe -count_packets: a playlist has no frame count of its own). */
    static long countedVideoFrames(Path playlist) {
        return Long.parseLong(Media.run(Media.FFMPEG.ffprobe().toString(), "-v", "error", "-select_streams", "v:0",
                "-count_packets", "-show_entries", "stream=nb_read_packets", "-of", "csv=p=0", playlist.toString())
                .strip().lines().findFirst().orElseThrow().trim()); // per stream, then again per program
    }
}
