package dev.recingest.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recingest.config.Settings;
import dev.recingest.protocol.Json;
import dev.recingest.protocol.Mode;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.Outcomes;
import dev.recingest.state.Recording;
import dev.recingest.state.RecordingState;
import dev.recingest.testkit.Waits;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
 * The live rendition as a user reaches it, on the embedded cluster (gateway, merger with the live rendition on by
 * default, real Redis, real S3 server, real FFmpeg): while a recording's chunks are committed its view shows live
 * status, {@code GET /v1/recordings/{id}/live.m3u8} with the recorder token of that recording gives a playlist
 * whose presigned segment URLs ffprobe reads over HTTP, {@code recording.live} is announced; after the stop the
 * same URL gives the VOD playlist of the whole recording, as long as the MP4.
 */
class LiveApiIT {

    private static final String WEBHOOK_SECRET = "live-api-webhook-secret";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    static Path dir;
    static EmbeddedCluster cluster;
    static WebhookReceiver receiver;

    @BeforeAll
    static void up() {
        receiver = new WebhookReceiver(WEBHOOK_SECRET);
        cluster = EmbeddedCluster.start(Settings.of(Map.of("RECINGEST_PORT", "0",
                "RECINGEST_DATA_DIR", dir.resolve("data").toString(),
                "RECINGEST_LIVE_POLL", "200ms",
                "RECINGEST_WEBHOOK_URLS", receiver.url().toString(),
                "RECINGEST_WEBHOOK_SECRET", WEBHOOK_SECRET,
                "RECINGEST_WEBHOOK_POLL", "500ms")));
    }

    @AfterAll
    static void down() {
        if (cluster != null) {
            cluster.close();
        }
        receiver.close();
    }

    @Test
    void theLivePlaylistPlaysWhileRecordingAndBecomesTheVodPlaylistAtStop() throws Exception {
        LiveFixtures.assumeFfprobe();
        RecordingId id = RecordingId.of("live-api");
        String token = cluster.recorderTokenFor(id.value(), Duration.ofHours(1));
        Path source = Media.tsH264Aac(Files.createDirectories(dir.resolve("src")), 20);
        List<byte[]> chunks = LiveFixtures.byteRanges(source, 32 << 10);
        var store = cluster.backends().store();
        Outcomes.StartOutcome started = store.ledger().start(id, "video/mp2t", Mode.STREAM, "").join();
        int half = chunks.size() / 2;
        for (int seq = 0; seq < half; seq++) {
            LiveFixtures.write(cluster.backends().store(), cluster.backends().s3(), id, started.epoch(), seq, chunks.get(seq));
            Thread.sleep(30);
        }
        Waits.until(() -> live(get("/v1/recordings/" + id.value(), token)).path("segments").asInt() >= 3,
                Duration.ofSeconds(60), "the recording's view shows 3 live segments");
        JsonNode liveView = live(get("/v1/recordings/" + id.value(), token));
        assertEquals("LIVE", liveView.get("state").asText(), liveView.toString());
        assertEquals("/v1/recordings/live-api/live.m3u8", liveView.get("playlist").asText());
        assertTrue(liveView.get("durationSeconds").asDouble() > 0, liveView.toString());

        // Access: the recording's own token and the admin token read it; others do not.
        HttpResponse<String> mid = get("/v1/recordings/" + id.value() + "/live.m3u8", token);
        assertEquals(200, mid.statusCode(), mid.body());
        assertEquals("application/vnd.apple.mpegurl", mid.headers().firstValue("content-type").orElse(""));
        assertEquals(200, get("/v1/recordings/" + id.value() + "/live.m3u8", cluster.adminToken()).statusCode());
        assertEquals(403, get("/v1/recordings/" + id.value() + "/live.m3u8",
                cluster.recorderTokenFor("another-recording", Duration.ofHours(1))).statusCode());
        assertEquals(401, get("/v1/recordings/" + id.value() + "/live.m3u8", null).statusCode());
        assertEquals(404, get("/v1/recordings/no-such-recording/live.m3u8", cluster.adminToken()).statusCode());

        String text = mid.body();
        assertTrue(text.contains("#EXT-X-PLAYLIST-TYPE:EVENT") && !text.contains("#EXT-X-ENDLIST"), text);
        for (String uri : LiveFixtures.uris(text)) {
            assertTrue(uri.startsWith("http://") && uri.contains("X-Amz-Signature="), "a presigned URL: " + uri);
        }
        Path midFile = dir.resolve("mid.m3u8");
        Files.writeString(midFile, text);
        assertEquals(List.of("video", "audio"), LiveFixtures.probePlaylist(midFile, "stream=codec_type"),
                "ffprobe reads the live playlist over HTTP");
        // A live playlist has no duration for ffprobe: what is listed so far, read as a VOD playlist, plays as long
        // as its #EXTINF lines say.
        Path listedFile = dir.resolve("listed.m3u8");
        Files.writeString(listedFile, text + "#EXT-X-ENDLIST\n");
        double listed = extinf(text);
        double listedProbed = LiveFixtures.playlistSeconds(listedFile);
        assertEquals(listed, listedProbed, 0.1);

        for (int seq = half; seq < chunks.size(); seq++) {
            LiveFixtures.write(cluster.backends().store(), cluster.backends().s3(), id, started.epoch(), seq, chunks.get(seq));
        }
        assertEquals(Outcomes.StopKind.STOPPED, store.ledger().stop(id, started.epoch(), (long) chunks.size() - 1).join().kind());
        store.mergeQueue().enqueue(id).join();
        Recording rec = awaitState(id);
        assertEquals(RecordingState.COMPLETED, rec.state(), rec.errorCode() + ": " + rec.errorMessage());

        HttpResponse<String> end = get("/v1/recordings/" + id.value() + "/live.m3u8", token);
        assertEquals(200, end.statusCode(), end.body());
        assertTrue(end.body().endsWith("#EXT-X-ENDLIST\n"), end.body());
        Path vodFile = dir.resolve("vod.m3u8");
        Files.writeString(vodFile, end.body());
        double vod = LiveFixtures.playlistSeconds(vodFile);
        Path mp4 = cluster.localPathOf(rec.outputKey());
        double mp4Seconds = Media.duration(mp4);
        JsonNode ended = live(get("/v1/recordings/" + id.value(), token));
        System.out.printf(Locale.ROOT, "live API: mid-recording %d segments, %.3f s listed, %.3f s probed over HTTP; "
                        + "after stop %d segments, VOD playlist %.3f s probed, MP4 %.3f s, recorded 20 s%n",
                LiveFixtures.uris(text).size() - 1, listed, listedProbed, ended.get("segments").asInt(), vod, mp4Seconds);
        assertEquals(20.0, vod, 0.1, "the VOD playlist plays as long as what was recorded");
        assertEquals(mp4Seconds, vod, 0.1, "the VOD playlist plays as long as the MP4");
        assertEquals("ENDED", ended.get("state").asText(), ended.toString());

        Waits.until(() -> !receiver.events(id.value(), "recording.live").isEmpty(), Duration.ofSeconds(30),
                "recording.live was delivered");
        JsonNode event = receiver.events(id.value(), "recording.live").get(0);
        assertEquals("RECORDING", event.get("recording").get("state").asText(), event.toString());
        assertEquals("/v1/recordings/live-api/live.m3u8", event.get("recording").get("live").get("playlist").asText());
        assertEquals(List.of(), receiver.badSignatures());
    }

    @Test
    void aRecordingStoppedBeforeAnyRenditionHasNoLivePlaylistAndIsMergedFromItsChunks() throws Exception {
        RecordingId id = RecordingId.of("live-api-short");
        Path source = Media.tsH264Aac(Files.createDirectories(dir.resolve("short")), 4);
        var store = cluster.backends().store();
        List<byte[]> chunks = LiveFixtures.byteRanges(source, 64 << 10);
        Outcomes.StartOutcome started = store.ledger().start(id, "video/mp2t", Mode.STREAM, "").join();
        for (int seq = 0; seq < chunks.size(); seq++) {
            LiveFixtures.write(cluster.backends().store(), cluster.backends().s3(), id, started.epoch(), seq, chunks.get(seq));
        }
        store.ledger().stop(id, started.epoch(), (long) chunks.size() - 1).join();
        store.mergeQueue().enqueue(id).join();
        Recording rec = awaitState(id);
        assertEquals(RecordingState.COMPLETED, rec.state(), rec.errorCode() + ": " + rec.errorMessage());
        assertEquals(4.0, Media.duration(cluster.localPathOf(rec.outputKey())), 0.1);
        HttpResponse<String> r = get("/v1/recordings/" + id.value() + "/live.m3u8", cluster.adminToken());
        assertTrue(r.statusCode() == 404 || r.body().endsWith("#EXT-X-ENDLIST\n"),
                "no playlist, or a complete one if a rendition had started in time: " + r.statusCode() + " " + r.body());
    }

    private static Recording awaitState(RecordingId id) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        Recording r = null;
        while (System.nanoTime() < deadline) {
            r = cluster.backends().store().get(id).join().orElseThrow();
            if (Set.of(RecordingState.COMPLETED, RecordingState.FAILED).contains(r.state())) {
                return r;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("not merged in time: " + r);
    }

    private static JsonNode live(HttpResponse<String> view) {
        assertEquals(200, view.statusCode(), view.body());
        try {
            return Json.MAPPER.readTree(view.body()).path("live");
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private static HttpResponse<String> get(String path, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(cluster.httpBase() + path)).timeout(Duration.ofSeconds(10));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        try {
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static double extinf(String playlist) {
        return playlist.lines().filter(l -> l.startsWith("#EXTINF:"))
                .mapToDouble(l -> Double.parseDouble(l.substring(8, l.indexOf(',')))).sum();
    }
}
