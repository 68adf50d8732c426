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
              // MediaRecorder.start() was just called: for the recording (t0), or for a part that continues it after a
              // reload (partT0)
              localStorage.setItem(localStorage.getItem('t0') ? 'partT0' : 't0', String(Date.now()));
              document.getElementById('stop').addEventListener('click', () => localStorage.setItem('t1', String(Date.now())),
                { capture: true, once: true }); // the demo calls MediaRecorder.stop() on this click
              rec.addEventListener('reconnecting', () =>
                localStorage.setItem('reconnects', String(Number(localStorage.getItem('reconnects') || 0) + 1)));
              // When the MediaRecorder handed over each chunk (dataavailable), in order: the media a chunk holds
              // ends about then, while its 'chunk' event comes after the IndexedDB write, later under load.
              const handedOver = [];
              rec.mediaRecorder?.addEventListener('dataavailable', (d) => d.data.size > 0 && handedOver.push(Date.now()));
              rec.addEventListener('chunk', async (c) => {
                const at = handedOver.shift();
                localStorage.setItem('lastChunkAt', String(Date.now()));
                if (at) localStorage.setItem('lastChunkDataAt', String(at));
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

    /** After a reload interrupted the recording: clicks Continue and waits until the new part records. */
    void continueAfterReload() {
        browser.await("document.body.dataset.phase === 'interrupted'", Duration.ofSeconds(60));
        browser.click("#continue");
        browser.await("document.body.dataset.phase === 'recording' && localStorage.getItem('partT0')", Duration.ofMinutes(2));
    }

    /** Milliseconds noted under {@code key} (t0, partT0, t1, lastChunkAt, lastChunkDataAt). */
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

    /**
     * Asserts the recording's MP4 against what the page recorded: ffprobe's duration within 0.5 s of the wall
     * time between the page's MediaRecorder.start() and stop() calls, and within 0.5 s of the media the page
     * produced (its chunks joined, measured to the end of their last packet), so the merge neither lost nor
     * added time. (The video stream alone may be shorter under heavy CPU load: Chromium's encoder drops
     * frames then; seen here at a load average of 38: 18.1 s of video in a 20.7 s recording.)
     */
    static void assertDurations(Path mp4, Path webm, double wallSeconds) {
        assertEquals(wallSeconds, Media.duration(mp4), 0.5, "MP4 duration against the recorded wall time");
        assertMatchesProduced(mp4, webm);
    }

    /** The MP4 is as long as the media the page produced (within 0.5 s); prints both and the video's length. */
    static void assertMatchesProduced(Path mp4, Path webm) {
        double produced = mediaEnd(webm);
        System.out.printf("durations: MP4 %.3f s (video %.3f s), the page's media %.3f s%n", Media.duration(mp4),
                videoDuration(mp4), produced);
        assertEquals(produced, Media.duration(mp4), 0.5, "MP4 duration against the media the page produced");
    }

    /** The first video stream's WIDTHxHEIGHT as ffprobe reads it. */
    static String videoSize(Path file) {
        for (JsonNode st : Media.probe(file).get("streams")) {
            if (st.path("codec_type").asText().equals("video")) {
                return st.path("width").asInt() + "x" + st.path("height").asInt();
            }
        }
        return "no video";
    }

    private static double videoDuration(Path mp4) {
        for (JsonNode st : Media.probe(mp4).get("streams")) {
            if (st.path("codec_type").asText().equals("video")) {
                return st.path("duration").asDouble();
            }
        }
        return -1;
    }

    /** The end of the last packet of any stream (a live WebM has no duration in its header). */
    static double mediaEnd(Path file) {
        String csv = Media.run(Media.FFMPEG.ffprobe().toString(), "-v", "error", "-show_entries",
                "packet=pts_time,duration_time", "-of", "csv=p=0", file.toString());
        double end = 0;
        for (String line : csv.split("\n")) {
            String[] f = line.trim().split(",");
            // Packet lines only: ffprobe's complaints (a stream cut mid-cluster by a reload) share the output.
            if (f[0].matches("[0-9]+(\\.[0-9]+)?")) {
                double pts = Double.parseDouble(f[0]);
                double dur = f.length > 1 && !f[1].equals("N/A") && !f[1].isEmpty() ? Double.parseDouble(f[1]) : 0;
                end = Math.max(end, pts + dur);
            }
        }
        return end;
    }

    /** The recording's chunk objects joined into one file: the media exactly as the page recorded it. */
    static Path joinedChunks(S3Store s3, Path dir, String recordingId) throws java.io.IOException {
        return joinedChunks(s3, dir, recordingId, 0, Long.MAX_VALUE);
    }

    /** Chunk objects {@code from} (inclusive) to {@code to} (exclusive) joined into one file: one part's media. */
    static Path joinedChunks(S3Store s3, Path dir, String recordingId, long from, long to) throws java.io.IOException {
        RecordingId id = RecordingId.of(recordingId);
        Path webm = dir.resolve(recordingId + (from == 0 && to == Long.MAX_VALUE ? "" : "-" + from + "-" + to) + ".webm");
        try (var out = Files.newOutputStream(webm)) {
            for (long index : s3.listChunks(id).join().keySet()) {
                if (index >= from && index < to) {
                    out.write(s3.getChunk(id, index).join());
                }
            }
        }
        return webm;
    }
}
