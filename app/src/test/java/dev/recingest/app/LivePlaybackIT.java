package dev.recingest.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recingest.config.Settings;
import dev.recingest.protocol.Mode;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.Outcomes;
import dev.recingest.testkit.Waits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * hls.js (from npm) in Debian's headless Chromium plays the live playlist of a recording while its chunks are
 * still being committed (embedded cluster: gateway, merger with the live rendition, real Redis, S3 server and
 * FFmpeg): the page fetches {@code live.m3u8} from the gateway with the recording's token, the segments from
 * their presigned URLs, {@code video.currentTime} advances and {@code video.duration} grows as segments are
 * listed, and seeking back to the first second plays from there (the whole recording so far is in the playlist).
 */
class LivePlaybackIT {

    @TempDir
    static Path dir;
    static EmbeddedCluster cluster;

    @BeforeAll
    static void up() {
        Chromium.unavailable().ifPresent(why -> Assumptions.abort(why));
        cluster = EmbeddedCluster.start(Settings.of(Map.of("RECINGEST_PORT", "0",
                "RECINGEST_DATA_DIR", dir.resolve("data").toString(),
                "RECINGEST_LIVE_POLL", "200ms")));
    }

    @AfterAll
    static void down() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void hlsJsPlaysTheRecordingWhileItRecordsAndSeeksBackToItsFirstSecond() throws Exception {
        RecordingId id = RecordingId.of("live-playback");
        String token = cluster.recorderTokenFor(id.value(), Duration.ofHours(1));
        Path source = Media.tsH264Aac(Files.createDirectories(dir.resolve("src")), 40);
        byte[] all = Files.readAllBytes(source);
        int chunkBytes = 24 << 10;
        var store = cluster.backends().store();
        Outcomes.StartOutcome started = store.ledger().start(id, "video/mp2t", Mode.STREAM, "").join();
        // The recorder: about real time (40 s of media over ~30 s), so the page plays a recording in progress.
        int chunks = (all.length + chunkBytes - 1) / chunkBytes;
        long pause = Duration.ofSeconds(30).toMillis() / chunks;
        AtomicReference<Throwable> recorderError = new AtomicReference<>();
        Thread recorder = new Thread(() -> {
            try {
                for (int seq = 0; seq < chunks; seq++) {
                    byte[] c = java.util.Arrays.copyOfRange(all, seq * chunkBytes, Math.min(all.length, (seq + 1) * chunkBytes));
                    LiveFixtures.write(store, cluster.backends().s3(), id, started.epoch(), seq, c);
                    Thread.sleep(pause);
                }
            } catch (Throwable t) {
                recorderError.set(t);
            }
        }, "test-recorder");
        recorder.setDaemon(true);
        recorder.start();

        Path log = dir.resolve("chromium.log");
        try (Chromium browser = Chromium.launch(log)) {
            browser.goTo(cluster.httpBase() + "/healthz");
            String hls = Files.readString(Chromium.recorderDir().resolve("node_modules/hls.js/dist/hls.min.js"));
            browser.eval(hls + "\n;window.Hls = Hls; return Hls.version;");
            assertTrue(browser.eval("return Hls.isSupported() && MediaSource.isTypeSupported("
                    + "'video/mp4; codecs=\"avc1.42E01E,mp4a.40.2\"');").asBoolean(), "MSE with H.264/AAC in this Chromium");
            Waits.until(() -> segments(id) >= 2, Duration.ofSeconds(60), "2 live segments are listed");
            browser.eval("""
                    const v = document.createElement('video');
                    v.muted = true;
                    document.body.appendChild(v);
                    window.errors = [];
                    const hls = new Hls({ xhrSetup: (xhr, url) => {
                        if (url.startsWith(location.origin)) xhr.setRequestHeader('Authorization', 'Bearer %s');
                    } });
                    hls.on(Hls.Events.ERROR, (e, d) => window.errors.push(d.details + (d.fatal ? ' (fatal)' : '')));
                    hls.loadSource(location.origin + '/v1/recordings/%s/live.m3u8');
                    hls.attachMedia(v);
                    v.play().catch(e => window.errors.push('play: ' + e));
                    window.v = v;
                    window.hls = hls;
                    return true;
                    """.formatted(token, id.value()));
            browser.await("window.v.currentTime > 1", Duration.ofSeconds(60));
            double t1 = browser.eval("return v.currentTime;").asDouble();
            double d1 = browser.eval("return v.duration;").asDouble();
            browser.await("window.v.currentTime > " + (t1 + 2), Duration.ofSeconds(60));
            browser.await("window.v.duration > " + (d1 + 2), Duration.ofSeconds(60));
            double t2 = browser.eval("return v.currentTime;").asDouble();
            double d2 = browser.eval("return v.duration;").asDouble();
            assertTrue(recorder.isAlive(), "still recording while the page plays");

            // DVR: back to the first second, which plays again.
            browser.eval("v.currentTime = 0.5; return true;");
            browser.await("!window.v.seeking && window.v.currentTime < 3 && window.v.readyState >= 3", Duration.ofSeconds(30));
            double afterSeek = browser.eval("return v.currentTime;").asDouble();
            browser.await("window.v.currentTime > " + (afterSeek + 1), Duration.ofSeconds(30));
            double t3 = browser.eval("return v.currentTime;").asDouble();
            JsonNode errors = browser.eval("return window.errors;");
            System.out.printf(Locale.ROOT, "live playback (hls.js %s): currentTime %.2f -> %.2f s while duration grew "
                            + "%.2f -> %.2f s; seeked back to %.2f s and played on to %.2f s; hls.js errors %s%n",
                    browser.eval("return Hls.version;").asText(), t1, t2, d1, d2, afterSeek, t3, errors);
            assertTrue(d2 > d1, "the duration grows as segments are listed");
            assertTrue(afterSeek < 3, "seeked back to the first second: " + afterSeek);
            List<String> fatal = new ArrayList<>();
            errors.forEach(e -> {
                if (e.asText().contains("fatal")) {
                    fatal.add(e.asText());
                }
            });
            assertEquals(List.of(), fatal, "no fatal hls.js error");
        }
        recorder.join(Duration.ofSeconds(60).toMillis());
        assertEquals(null, recorderError.get());
    }

    /**
     * The demo page's live tab: one browser records on the demo page (Chromium's fake camera and microphone, VP8 and
     * Opus, transcoded live), and the page's "Watch live" link, opened in a second browser as a user opens it in a
     * second tab, plays the recording with the hls.js the gateway serves while the first still records: its
     * {@code currentTime} advances and its {@code duration} grows; after the stop the tab sees the ended playlist.
     * (Two Chromium processes rather than two tabs of one: the test driver drives one page per browser.)
     */
    @Test
    void theDemoPagesLiveTabPlaysTheRecordingWhileTheDemoPageRecordsIt() throws Exception {
        // The player the gateway serves is npm's hls.js, the version web/recorder's lock file pins, unmodified.
        byte[] served = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(cluster.httpBase() + "/demo/hls.light.min.mjs")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofByteArray()).body();
        assertTrue(java.util.Arrays.equals(Files.readAllBytes(Chromium.recorderDir().resolve(
                "node_modules/hls.js/dist/hls.light.min.mjs")), served), "web/demo's hls.js is npm's");
        try (Chromium recorderTab = Chromium.launch(dir.resolve("chromium-recorder.log"));
             Chromium liveTab = Chromium.launch(dir.resolve("chromium-live.log"))) {
            DemoPage page = new DemoPage(recorderTab, cluster.httpBase() + "/demo/");
            String id = page.startRecording();
            recorderTab.await("!document.getElementById('liveLink').hidden", Duration.ofSeconds(30));
            String href = recorderTab.eval("return document.getElementById('watchLive').href;").asText();
            assertTrue(href.startsWith(cluster.httpBase() + "/demo/live.html#id=" + id + "&token="), href);
            liveTab.goTo(href);
            liveTab.await("document.body.dataset.phase === 'playing' && recingestLive.video.currentTime > 1",
                    Duration.ofSeconds(90));
            double t1 = liveTab.eval("return recingestLive.video.currentTime;").asDouble();
            double d1 = liveTab.eval("return recingestLive.video.duration;").asDouble();
            liveTab.await("recingestLive.video.currentTime > " + (t1 + 2), Duration.ofSeconds(60));
            liveTab.await("recingestLive.video.duration > " + (d1 + 2), Duration.ofSeconds(60));
            double t2 = liveTab.eval("return recingestLive.video.currentTime;").asDouble();
            double d2 = liveTab.eval("return recingestLive.video.duration;").asDouble();
            assertEquals("recording", recorderTab.eval("return document.body.dataset.phase;").asText(),
                    "the first tab still records while the second plays");
            String status = liveTab.eval("return document.getElementById('status').textContent;").asText();
            page.stopAndAwaitMp4();
            liveTab.await("document.body.dataset.phase === 'ended'", Duration.ofSeconds(60));
            System.out.printf(Locale.ROOT, "demo live tab: %s playing (%s): currentTime %.2f -> %.2f s while duration "
                    + "grew %.2f -> %.2f s; after the stop: %s%n", id, status, t1, t2, d1, d2,
                    liveTab.eval("return document.getElementById('status').textContent;").asText());
            assertTrue(t2 > t1 && d2 > d1, "the live tab plays on as the recording grows");
        }
    }

    private static int segments(RecordingId id) {
        return Integer.parseInt(cluster.backends().store().liveIndex().status(id).join().getOrDefault("segments", "0"));
    }
}
