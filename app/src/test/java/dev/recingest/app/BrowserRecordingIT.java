package dev.recingest.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recingest.client.admin.AdminClient;
import dev.recingest.config.Settings;
import dev.recingest.protocol.Json;
import dev.recingest.protocol.RecordingId;
import dev.recingest.storage.S3Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The browser recorder in real headless Chromium against what {@code all} runs (embedded Redis and S3, a
 * gateway serving the demo page with development tokens, a merger), in this JVM. The page is the demo page
 * itself, recording Chromium's fake camera and microphone through {@code web/recorder}. Skipped with a
 * message where there is no Chromium or node.
 */
class BrowserRecordingIT {

    @TempDir
    static Path dir;
    static EmbeddedCluster cluster;
    static AdminClient admin;
    @RegisterExtension
    final ChromiumPerTest chromium = new ChromiumPerTest(() -> dir);
    Chromium browser;

    @BeforeEach
    void browser() {
        browser = chromium.browser();
    }

    @BeforeAll
    static void up() {
        Chromium.unavailable().ifPresent(why -> Assumptions.abort(why));
        cluster = EmbeddedCluster.start(Settings.of(Map.of("RECINGEST_DATA_DIR", dir.resolve("data").toString(),
                "RECINGEST_PORT", "0")));
        admin = new AdminClient(cluster.httpBase(), cluster.adminToken());
    }

    @AfterAll
    static void down() {
        if (cluster != null) {
            cluster.close();
        }
    }


    @Test
    void aTwentySecondRecordingOnTheDemoPageEndsAsAPlayableMp4OfExactlyWhatThePageProduced() throws Exception {
        DemoPage page = new DemoPage(browser, cluster.httpBase() + "/demo/");
        String id = page.startRecording();
        GatewayProcess.sleep(20_000);
        page.stopAndAwaitMp4();
        double wall = (page.noted("t1") - page.noted("t0")) / 1000.0;
        long chunks = admin.recording(id).chunks();

        Path mp4 = DemoPage.assertPlayableMp4(admin, cluster.backends().s3(), dir, id);
        double duration = Media.duration(mp4);
        System.out.printf("browser recording %s: %d chunks, recorded %.2f s (MediaRecorder start to stop)%n", id, chunks, wall);
        DemoPage.assertDurations(mp4, DemoPage.joinedChunks(cluster.backends().s3(), dir, id), wall);
        DemoPage.assertChunksAsProduced(cluster.backends().s3(), id, page.chunkHashes(chunks));

        Path shot = dir.resolve("demo-page.png");
        browser.eval("document.getElementById('playback').currentTime = " + duration / 2 + "; return true;");
        browser.await("document.getElementById('playback').readyState >= 2", Duration.ofSeconds(20));
        browser.screenshot(shot);
        assertTrue(Files.size(shot) > 10_000, "a screenshot of the demo page");
        // docs/demo-page.png is this screenshot; -Dscreenshot.update=true writes it there again.
        if (Boolean.getBoolean("screenshot.update")) {
            Files.copy(shot, Nginx.repositoryFile("docs").resolve("demo-page.png"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @Test
    void tenSecondsOfflineMidRecordingResumesAndLosesNothing() throws Exception {
        DemoPage page = new DemoPage(browser, cluster.httpBase() + "/demo/");
        String id = page.startRecording();
        GatewayProcess.sleep(5_000);
        browser.offline(true);
        GatewayProcess.sleep(10_000);
        JsonNode offline = page.figures();
        browser.offline(false);
        browser.await("recingestDemo.rec.state === 'recording' && recingestDemo.rec.pendingChunks <= 1", Duration.ofSeconds(60));
        GatewayProcess.sleep(4_000);
        page.stopAndAwaitMp4();
        double wall = (page.noted("t1") - page.noted("t0")) / 1000.0;
        long chunks = admin.recording(id).chunks();
        System.out.printf("offline 10 s: while offline %s; after: %s%n", offline, page.figures());

        assertTrue(offline.get("pendingChunks").asInt() >= 5, "chunks piled up while offline: " + offline);
        assertTrue(page.reconnectEvents() >= 1, "the page was told it reconnects");
        Path mp4 = DemoPage.assertPlayableMp4(admin, cluster.backends().s3(), dir, id);
        DemoPage.assertDurations(mp4, DemoPage.joinedChunks(cluster.backends().s3(), dir, id), wall);
        DemoPage.assertChunksAsProduced(cluster.backends().s3(), id, page.chunkHashes(chunks));
    }

    @Test
    void aSecondPartAtAnotherResolutionJoinsTheFirstInOneMp4() throws Exception {
        DemoPage page = new DemoPage(browser, cluster.httpBase() + "/demo/");
        String id = page.startRecording(); // 1280x720
        GatewayProcess.sleep(6_000);
        // The page goes on in the same recording with a new MediaRecorder on a smaller source: a 640x360 canvas
        // (Chromium's fake camera, asked for 640x360, still gives MediaRecorder 1280x720 frames) and the microphone.
        JsonNode partStarted = browser.eval("""
                const canvas = Object.assign(document.createElement('canvas'), { width: 640, height: 360 });
                const g = canvas.getContext('2d');
                let n = 0;
                window.__painter = setInterval(() => {
                  g.fillStyle = `hsl(${(n++ * 7) % 360} 70% 50%)`;
                  g.fillRect(0, 0, 640, 360);
                  g.fillStyle = '#fff';
                  g.fillText(String(n), 20 + (n * 5) % 600, 180);
                }, 40);
                const mic = await navigator.mediaDevices.getUserMedia({ audio: true });
                const s = new MediaStream([...canvas.captureStream(25).getVideoTracks(), ...mic.getAudioTracks()]);
                document.getElementById('preview').srcObject = s;
                return await recingestDemo.rec.continueWith(s);""");
        GatewayProcess.sleep(6_000);
        page.stopAndAwaitMp4();
        long chunks = admin.recording(id).chunks();
        Path mp4 = DemoPage.assertPlayableMp4(admin, cluster.backends().s3(), dir, id);

        S3Store s3 = cluster.backends().s3();
        JsonNode parts = Json.MAPPER.readTree(s3.getBytes(s3.keys().manifest(RecordingId.of(id))).join()).get("parts");
        System.out.printf("two resolutions: %d chunks, partStarted %s, parts %s, MP4 %.3f s%n", chunks, partStarted,
                parts, Media.duration(mp4));
        assertEquals(2, parts.size(), "the manifest lists two parts: " + parts);
        long secondFirst = parts.get(1).get("firstIndex").asLong();
        assertEquals(partStarted.get("firstSeq").asLong(), secondFirst, "the part starts where the gateway said");
        Path first = DemoPage.joinedChunks(s3, dir, id, 0, secondFirst);
        Path second = DemoPage.joinedChunks(s3, dir, id, secondFirst, Long.MAX_VALUE);
        assertEquals("1280x720", DemoPage.videoSize(first), "the first part as recorded");
        assertEquals("640x360", DemoPage.videoSize(second), "the second part as recorded");
        assertEquals("1280x720", DemoPage.videoSize(mp4), "the MP4 keeps the first part's size");
        assertEquals(DemoPage.mediaEnd(first) + DemoPage.mediaEnd(second), Media.duration(mp4), 1.0,
                "MP4 duration against the media of both parts");
        DemoPage.assertChunksAsProduced(s3, id, page.chunkHashes(chunks));
    }

    @Test
    void aBadTokenIsRefusedWith4401AndNoReconnects() {
        browser.goTo(cluster.httpBase() + "/demo/");
        JsonNode r = browser.eval(COUNTING_SOCKET + """
                const { RecordingUpload } = await import('/recorder/recorder.js');
                try {
                  await RecordingUpload.open({ url: '/v1/ingest', token: 'not-a-jwt', recordingId: 'demo-bad-token',
                    contentType: 'video/webm', WebSocket: Counting });
                  return { opened: true };
                } catch (e) {
                  await new Promise((r) => setTimeout(r, 5000));
                  return { code: e.code, closeCode: e.closeCode, sockets: window.sockets };
                }
                """);
        assertEquals("UNAUTHORIZED", r.path("code").asText(), r.toString());
        assertEquals(4401, r.path("closeCode").asInt(), r.toString());
        assertEquals(1, r.path("sockets").asInt(), "one connection, no reconnect: " + r);
    }

    @Test
    void aTokenThatExpiredBeforeAResumeEndsTheUploadWithAnErrorEventAndNoReconnectStorm() {
        String good = cluster.recorderToken(Duration.ofHours(1));
        String expired = cluster.recorderToken(Duration.ofSeconds(-60));
        browser.goTo(cluster.httpBase() + "/demo/");
        browser.eval(COUNTING_SOCKET + """
                const { RecordingUpload } = await import('/recorder/recorder.js');
                let first = true;
                const token = () => { const t = first ? '%s' : '%s'; first = false; return t; };
                const rec = await RecordingUpload.open({ url: '/v1/ingest', token, recordingId: 'demo-expiring',
                  contentType: 'video/webm', WebSocket: Counting, backoffMs: 100, maxBackoffMs: 200 });
                window.errors = [];
                rec.addEventListener('error', (e) => { window.errors.push({ code: e.code, closeCode: e.closeCode }); window.socketsAtError = window.sockets; });
                rec.send(new Blob([new Uint8Array(1000)]));
                window.rec = rec;
                return true;
                """.formatted(good, expired));
        browser.await("rec.ackedChunks === 1", Duration.ofSeconds(20));
        browser.offline(true); // the connection drops; the resume presents the expired token
        browser.offline(false);
        browser.await("window.errors.length > 0", Duration.ofSeconds(30));
        GatewayProcess.sleep(5_000);
        JsonNode r = browser.eval("return { errors: window.errors, sockets: window.sockets, socketsAtError: window.socketsAtError, state: rec.state };");
        assertEquals("UNAUTHORIZED", r.at("/errors/0/code").asText(), r.toString());
        assertEquals(4401, r.at("/errors/0/closeCode").asInt(), r.toString());
        assertEquals(1, r.get("errors").size(), r.toString());
        assertEquals("failed", r.get("state").asText());
        assertEquals(r.get("socketsAtError").asInt(), r.get("sockets").asInt(), "no connection after the 4401: " + r);
    }

    /** A WebSocket that counts how many the page opened (passed to the module as its WebSocket). */
    private static final String COUNTING_SOCKET = """
            window.sockets = 0;
            class Counting extends WebSocket { constructor(...a) { super(...a); window.sockets++; } }
            """;
}
