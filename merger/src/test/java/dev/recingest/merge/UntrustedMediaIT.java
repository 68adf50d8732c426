package dev.recingest.merge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.recingest.protocol.Mode;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.Recording;
import dev.recingest.state.RecordingState;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10, item 7: chunks are untrusted bytes. A first chunk that is an HLS playlist or a DASH manifest
 * must not make the merger fetch URLs (SSRF from the merger host), and a "segment" that is a playlist must
 * not pull a local file into the output. A real HTTP server on loopback counts what reaches it; real
 * Redis, S3 server and FFmpeg.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UntrustedMediaIT {

    @TempDir
    static Path dir;

    private TestCluster cluster;
    private HttpServer http;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private RecordingMerger merger;

    @BeforeAll
    void servers() throws Exception {
        cluster = new TestCluster(dir);
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/", exchange -> {
            requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI());
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
        });
        http.start();
        merger = RecordingMerger.create(cluster.config(dir.resolve("work"), Map.of()), cluster.recordings,
                cluster.storage, cluster.storage, cluster.storage.keys(), new SimpleMeterRegistry());
    }

    @BeforeEach
    void noRequestsYet() {
        requests.clear();
    }

    @AfterAll
    void stopServers() {
        http.stop(0);
        cluster.close();
    }

    private String url(String path) {
        return "http://127.0.0.1:" + http.getAddress().getPort() + path;
    }

    @Test
    void anHlsPlaylistAsTheFirstChunkFetchesNothingAndFails() throws Exception {
        String playlist = "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:10\n#EXT-X-MEDIA-SEQUENCE:0\n"
                + "#EXTINF:10.0,\n" + url("/hls/segment0.ts") + "\n#EXTINF:10.0,\n" + url("/hls/segment1.ts")
                + "\n#EXT-X-ENDLIST\n";
        Recording rec = merge("hls-first-chunk", "video/webm;codecs=vp8,opus", Mode.STREAM,
                List.of(bytes(playlist), bytes("#EXT-X-DISCONTINUITY\n")));
        assertEquals(List.of(), requests, "no request left the merger");
        assertFailedUnsupported(rec, "video/webm");
    }

    @Test
    void aDashManifestAsTheFirstChunkFetchesNothingAndFails() throws Exception {
        String mpd = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" type=\"static\" mediaPresentationDuration=\"PT10S\" "
                + "minBufferTime=\"PT2S\" profiles=\"urn:mpeg:dash:profile:isoff-on-demand:2011\">\n"
                + " <BaseURL>" + url("/dash/") + "</BaseURL>\n <Period>\n  <AdaptationSet mimeType=\"video/mp4\">\n"
                + "   <Representation id=\"v\" bandwidth=\"500000\" codecs=\"avc1.42c01e\" width=\"320\" height=\"240\">\n"
                + "    <BaseURL>video.mp4</BaseURL>\n    <SegmentBase indexRange=\"0-100\"><Initialization range=\"0-50\"/>"
                + "</SegmentBase>\n   </Representation>\n  </AdaptationSet>\n </Period>\n</MPD>\n";
        Recording rec = merge("dash-first-chunk", "video/mp4", Mode.STREAM, List.of(bytes(mpd)));
        assertEquals(List.of(), requests, "no request left the merger");
        assertFailedUnsupported(rec, "video/mp4");
    }

    @Test
    void aSegmentThatIsAPlaylistOfALocalFileDoesNotPullItIn() throws Exception {
        // Someone else's media on the merger's disk (another recording's work file, say).
        Path secret = MediaFixtures.tsSegments(Files.createDirectories(dir.resolve("secret")), 2, 2).get(0);
        String playlist = "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\n" + secret.toAbsolutePath() + "\n#EXT-X-ENDLIST\n";
        List<byte[]> segments = new ArrayList<>(MediaFixtures.readAll(
                MediaFixtures.mp4Segments(Files.createDirectories(dir.resolve("own")), 4, 2)));
        segments.set(1, bytes(playlist));
        Recording rec = merge("playlist-segment", "video/mp4", Mode.SEGMENTS, segments);
        assertFailedUnsupported(rec, "video/mp4");
        assertEquals(Optional.empty(), cluster.storage.size(cluster.storage.keys().output(rec.id())).join());
    }

    @Test
    void aContentTypeTheMergerCannotReadIsRefusedBeforeFfmpegRuns() throws Exception {
        String playlist = "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10.0,\n" + url("/typed/segment0.ts")
                + "\n#EXT-X-ENDLIST\n";
        Recording rec = merge("playlist-type", "application/vnd.apple.mpegurl", Mode.STREAM, List.of(bytes(playlist)));
        assertEquals(List.of(), requests, "no request left the merger");
        assertFailedUnsupported(rec, "application/vnd.apple.mpegurl");
        assertTrue(rec.errorMessage().contains("video/webm") && rec.errorMessage().contains("video/mp2t"),
                "names what it can read: " + rec.errorMessage());
        assertEquals(1, rec.mergeAttempts(), "refused on the first attempt");
    }

    private Recording merge(String name, String contentType, Mode mode, List<byte[]> chunks) throws Exception {
        RecordingId id = RecordingId.of(name);
        cluster.record(id, contentType, mode, null, chunks);
        assertEquals(RecordingMerger.Disposition.ACK, merger.process(id, Lease.unmanaged()));
        return cluster.recordings.get(id).join().orElseThrow();
    }

    private static void assertFailedUnsupported(Recording rec, String contentType) {
        assertEquals(RecordingState.FAILED, rec.state());
        assertEquals("UNSUPPORTED_MEDIA", rec.errorCode(), rec.errorMessage());
        assertTrue(rec.errorMessage().contains(contentType), "the message names the content type: " + rec.errorMessage());
        System.out.println("untrusted media " + rec.id() + ": " + rec.errorCode() + ": " + rec.errorMessage());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
