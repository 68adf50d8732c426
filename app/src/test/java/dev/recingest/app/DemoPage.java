package dev.recingest.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recingest.client.admin.AdminClient;
import dev.recingest.client.admin.RecordingStatus;
import dev.recingest.protocol.Json;
import dev.recingest.protocol.RecordingId;
import dev.recingest.storage.S3Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;

/**
 * The demo page ({@code web/demo/}) in a {@link Chromium}, recording the fake camera and microphone, with
 * a hook that notes what the page produced: the SHA-256 of every chunk the recorder module handed to the
 * upload, when the MediaRecorder started and stopped, and how often the upload reconnected. The notes live
 * in the page's localStorage, so they survive a reload.
 */
final class DemoPage {

    /** Installed after every load; the demo page announces each new upload with 'recingest-demo:recording'. */
    private static final String HOOK = """
            if (window.__hooked) return true;
            window.__hooked = true;
            const hex = (b) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, '0')).join('');
            window.addEventListener('recingest-demo:recording', (e) => {
              const rec = e.detail;
              rec.mediaRecorder.addEventListener('start', () => localStorage.setItem('t0', String(Date.now())));
              rec.mediaRecorder.addEventListener('stop', () => localStorage.setItem('t1', String(Date.now())));
              rec.addEventListener('reconnecting', () =>
                localStorage.setItem('reconnects', String(Number(localStorage.getItem('reconnects') || 0) + 1)));
              rec.addEventListener('chunk', async (c) => {
                localStorage.setItem('lastChunkAt', String(Date.now()));
                localStorage.setItem('sha' + c.seq, hex(await crypto.subtle.digest('SHA-256', await c.data.arrayBuffer())));
              });
            });
            return true;
            """;

    final Chromium browser;

    DemoPage(Chromium browser, String url) {
        this.browser = browser;
        browser.goTo(url);
        hook();
    }

    void hook() {
        browser.eval(HOOK);
    }

    /** Clicks Start and waits until the upload is open and the MediaRecorder runs. */
    String startRecording() {
        browser.await("document.body.dataset.phase === 'idle'", Duration.ofSeconds(30));
        browser.click("#start");
        browser.await("document.body.dataset.phase === 'recording' && localStorage.getItem('t0')", Duration.ofSeconds(30));
        return browser.eval("return recingestDemo.rec.recordingId;").asText();
    }

    /** The upload's figures: state, ackedChunks, pendingChunks, reconnects, … */
    JsonNode figures() {
        return browser.eval("const r = recingestDemo.rec; return { state: r.state, ackedChunks: r.ackedChunks, "
                + "pendingChunks: r.pendingChunks, reconnects: r.reconnects, recordingId: r.recordingId };");
    }

    /** Clicks Stop and waits until the page plays the MP4 (the merge is done). */
    void stopAndAwaitMp4() {
        browser.click("#stop");
        awaitMp4();
    }

    void awaitMp4() {
        String phase = browser.await("['ready', 'failed'].includes(document.body.dataset.phase) && document.body.dataset.phase",
                Duration.ofMinutes(3)).asText();
        assertEquals("ready", phase, "the demo page ends with its MP4: " + browser.eval(
                "return document.getElementById('notice').textContent + ' / ' + document.getElementById('resultStatus').textContent;"));
        browser.await("document.getElementById('playback').readyState >= 1", Duration.ofSeconds(30));
    }

    /** SHA-256 of chunks 0..n-1 as the page produced them (waits for the last hashes to be noted). */
    List<String> chunkHashes(long n) {
        browser.await("Array.from({length: " + n + "}, (_, i) => localStorage.getItem('sha' + i)).every(Boolean)",
                Duration.ofSeconds(30));
        List<String> hashes = new ArrayList<>();
        browser.eval("return Array.from({length: " + n + "}, (_, i) => localStorage.getItem('sha' + i));")
                .forEach(h -> hashes.add(h.asText()));
        return hashes;
    }

    /** Milliseconds noted under {@code key} (t0, t1, lastChunkAt). */
    long noted(String key) {
        return browser.eval("return Number(localStorage.getItem('" + key + "'));").asLong();
    }

    int reconnectEvents() {
        return browser.eval("return Number(localStorage.getItem('reconnects') || 0);").asInt();
    }

    /**
     * The recording's chunk objects are exactly 0..N-1 (none twice, none missing), each SHA-256-equal to what
     * the page produced, and the manifest lists the same.
     */
    static void assertChunksAsProduced(S3Store s3, String recordingId, List<String> produced) throws Exception {
        RecordingId id = RecordingId.of(recordingId);
        assertEquals(LongStream.range(0, produced.size()).boxed().toList(), List.copyOf(s3.listChunks(id).join().keySet()),
                recordingId + ": chunk objects are exactly 0..N-1");
        JsonNode manifest = Json.MAPPER.readTree(s3.getBytes(s3.keys().manifest(id)).join());
        assertEquals(produced.size(), manifest.get("chunks").size(), "manifest chunk count");
        for (int i = 0; i < produced.size(); i++) {
            assertEquals(produced.get(i), Media.sha256(s3.getChunk(id, i).join()), recordingId + ": SHA-256 of chunk " + i);
            assertEquals(produced.get(i), manifest.get("chunks").get(i).get("sha256").asText());
        }
    }

    /** The recording is COMPLETED; its MP4 (written to {@code dir}) has video and audio, and seeks. */
    static Path assertPlayableMp4(AdminClient admin, S3Store s3, Path dir, String recordingId) throws Exception {
        RecordingStatus status = admin.awaitFinal(recordingId, Duration.ofMinutes(3), Duration.ofMillis(250));
        assertTrue(status.isCompleted(), recordingId + " ended " + status.state() + ": " + status.error());
        Path mp4 = dir.resolve(recordingId + ".mp4");
        Files.write(mp4, s3.getBytes(status.output().key()).join());
        assertEquals(List.of("video", "audio"), Media.streamTypes(mp4), "one video and one audio stream");
        double duration = Media.duration(mp4);
        Media.decodeFrameAt(mp4, duration / 2); // seekable: a frame in the middle decodes
        return mp4;
    }
}
