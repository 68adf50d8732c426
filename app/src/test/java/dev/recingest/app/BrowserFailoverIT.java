package dev.recingest.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recingest.protocol.Json;
import dev.recingest.protocol.RecordingId;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The browser recorder when things break under it, in headless Chromium: two gateway JVMs
 * ({@code Main gateway} with the demo page on, {@code RECINGEST_DEMO=on}) behind the repository's nginx, one
 * embedded Redis and S3, a merger. The demo page is loaded through nginx with a recorder token in its
 * fragment, as a production page would be given one. Skipped where there is no Chromium, node or nginx.
 */
class BrowserFailoverIT {

    @TempDir
    static Path dir;
    static FailureCluster cluster;
    static final List<GatewayProcess> gateways = new ArrayList<>();
    static Nginx nginx;
    /** Between the gateways and S3: paused, the gateways' chunk writes hang and no chunk is acked. */
    static ThrottlingProxy s3Link;
    @RegisterExtension
    final ChromiumPerTest chromium = new ChromiumPerTest(() -> dir);
    Chromium browser;

    @BeforeEach
    void browser() {
        browser = chromium.browser();
    }

    @BeforeAll
    static void up() throws Exception {
        Chromium.unavailable().ifPresent(why -> Assumptions.abort(why));
        Optional<Path> binary = Nginx.binary();
        Assumptions.assumeTrue(binary.isPresent(), "no nginx binary: skipping the browser failover tests");
        cluster = new FailureCluster(dir);
        s3Link = new ThrottlingProxy(cluster.s3Server.endpoint().getPort(), 1L << 40);
        Map<String, String> env = Map.of("RECINGEST_DEMO", "on", "RECINGEST_S3_ENDPOINT", "http://127.0.0.1:" + s3Link.port());
        List<CompletableFuture<GatewayProcess>> starting = new ArrayList<>();
        for (String name : List.of("gw-a", "gw-b")) {
            starting.add(CompletableFuture.supplyAsync(() -> cluster.startGatewayProcess(name, env)));
        }
        for (CompletableFuture<GatewayProcess> f : starting) {
            gateways.add(f.get());
        }
        nginx = Nginx.start(binary.get(), dir.resolve("nginx"), gateways.stream().map(g -> g.port).toList());
    }

    @AfterAll
    static void down() throws IOException {
        if (nginx != null) {
            nginx.close();
        }
        if (cluster != null) {
            cluster.close();
        }
        if (s3Link != null) {
            s3Link.close();
        }
        for (GatewayProcess g : gateways) {
            assertFalse(g.loggedLeak(), g + " leaked a buffer");
        }
    }


    private String demoUrl() {
        return nginx.httpBase() + "/demo/#token=" + cluster.recorderToken();
    }

    @Test
    void thePageResumesOnTheOtherGatewayWhenItsGatewayIsKilledAndTheMp4IsComplete() throws Exception {
        DemoPage page = new DemoPage(browser, demoUrl());
        String id = page.startRecording();
        GatewayProcess.sleep(6_000);
        GatewayProcess victim = holderOf(id);
        victim.kill9();
        GatewayProcess.sleep(6_000);
        page.stopAndAwaitMp4();
        double wall = (page.noted("t1") - page.noted("t0")) / 1000.0;
        long chunks = cluster.admin(nginx.httpBase()).recording(id).chunks();
        System.out.printf("browser failover: kill -9 of %s; the page reconnected %d time(s); %d chunks, recorded %.2f s%n",
                victim, page.reconnectEvents(), chunks, wall);

        assertFalse(victim.isAlive());
        assertTrue(page.reconnectEvents() >= 1, "the page lost its connection and reconnected");
        assertTrue(gateways.stream().anyMatch(g -> g != victim && g.logText().contains("recording resumed recording=" + id + " ")),
                "the recording resumed on the other gateway");
        Path mp4 = DemoPage.assertPlayableMp4(cluster.admin(nginx.httpBase()), cluster.s3(), dir, id);
        DemoPage.assertDurations(mp4, DemoPage.joinedChunks(cluster.s3(), dir, id), wall);
        DemoPage.assertChunksAsProduced(cluster.s3(), id, page.chunkHashes(chunks));
    }

    /**
     * The tab is reloaded while S3 hangs (the link between the gateways and S3 is paused: no chunk can be
     * stored, so none is acked, and the chunks pile up unacked in IndexedDB). After the reload the demo page
     * finds them and uploads them with recoverPending; the user clicks Continue, and the page goes on recording
     * into the same recording as a new part (PROTOCOL.md, part) for 10 s, then stops. The one MP4 holds both
     * parts: its duration is within 1 s of the two parts' recorded times and of the media the page produced,
     * and the manifest lists two parts, the second starting at the first chunk recorded after the reload.
     */
    @Test
    void afterAReloadWithChunksUnackedThePageUploadsThemAndContinuesTheSameRecordingAsANewPart() throws Exception {
        DemoPage page = new DemoPage(browser, demoUrl());
        String id = page.startRecording();
        GatewayProcess.sleep(5_000);
        s3Link.pause();
        JsonNode before;
        try {
            GatewayProcess.sleep(4_000);
            before = page.figures();
            browser.reload();
            // Until S3 answers again nothing can be acked: what IndexedDB holds now is what was unacked.
            JsonNode held = browser.eval(HELD_CHUNKS);
            System.out.printf("reload: before %s; IndexedDB held %s%n", before, held);
            assertTrue(held.size() >= 2, "chunks were unacked at the reload: " + held);
            for (JsonNode c : held) {
                String noted = browser.eval("return localStorage.getItem('sha" + c.get("seq").asInt() + "');").asText(null);
                if (noted != null) {
                    assertEquals(noted, c.get("sha").asText(), "IndexedDB holds chunk " + c.get("seq") + " as produced");
                }
                browser.eval("localStorage.setItem('sha" + c.get("seq").asInt() + "', '" + c.get("sha").asText() + "'); return true;");
            }
        } finally {
            s3Link.resume();
        }
        assertTrue(before.get("pendingChunks").asInt() >= 2, "chunks were unacked before the reload: " + before);
        page.hook();
        // What the MediaRecorder had not yet handed over died with the page (a timeslice, more when the machine
        // is loaded and dataavailable comes late): part 0 was recorded from the start to the moment the
        // MediaRecorder handed over the last chunk the page persisted before the reload.
        double firstRecorded = (page.noted("lastChunkDataAt") - page.noted("t0")) / 1000.0;
        page.continueAfterReload();
        GatewayProcess.sleep(10_000);
        page.stopAndAwaitMp4();
        double secondRecorded = (page.noted("t1") - page.noted("partT0")) / 1000.0;
        long chunks = cluster.admin(nginx.httpBase()).recording(id).chunks();
        Path mp4 = DemoPage.assertPlayableMp4(cluster.admin(nginx.httpBase()), cluster.s3(), dir, id);

        JsonNode parts = Json.MAPPER.readTree(cluster.s3().getBytes(cluster.s3().keys().manifest(RecordingId.of(id))).join())
                .get("parts");
        System.out.printf("reload and continue: %d chunks, parts %s; recorded %.2f s + %.2f s, MP4 %.3f s%n", chunks, parts,
                firstRecorded, secondRecorded, Media.duration(mp4));
        assertEquals(2, parts.size(), "the manifest lists two parts: " + parts);
        long secondFirst = parts.get(1).get("firstIndex").asLong();
        assertTrue(parts.get(1).get("declared").asBoolean(), "the page declared the second part: " + parts);
        assertTrue(secondFirst > 0 && secondFirst < chunks, "the second part starts after the first: " + parts);
        double firstMedia = DemoPage.mediaEnd(DemoPage.joinedChunks(cluster.s3(), dir, id, 0, secondFirst));
        double secondMedia = DemoPage.mediaEnd(DemoPage.joinedChunks(cluster.s3(), dir, id, secondFirst, Long.MAX_VALUE));
        System.out.printf("the page's media: %.3f s + %.3f s%n", firstMedia, secondMedia);
        assertEquals(firstMedia + secondMedia, Media.duration(mp4), 1.0, "MP4 duration against the media of both parts");
        assertEquals(firstRecorded + secondRecorded, Media.duration(mp4), 1.0,
                "MP4 duration against the two parts' recorded times");
        DemoPage.assertChunksAsProduced(cluster.s3(), id, page.chunkHashes(chunks));
    }

    /** The chunks the page's IndexedDB holds: seq and SHA-256 of each. */
    private static final String HELD_CHUNKS = """
            const db = await new Promise((ok, ko) => { const r = indexedDB.open('recingest-recorder'); r.onsuccess = () => ok(r.result); r.onerror = () => ko(r.error); });
            const all = await new Promise((ok, ko) => { const r = db.transaction('chunks').objectStore('chunks').getAll(); r.onsuccess = () => ok(r.result); r.onerror = () => ko(r.error); });
            db.close();
            const hex = (b) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, '0')).join('');
            const out = [];
            for (const c of all) out.push({ seq: c.seq, sha: hex(await crypto.subtle.digest('SHA-256', await c.data.arrayBuffer())) });
            return out;
            """;

    private static GatewayProcess holderOf(String id) {
        long deadline = System.currentTimeMillis() + 20_000;
        while (System.currentTimeMillis() < deadline) {
            Optional<GatewayProcess> g = gateways.stream().filter(p -> p.isAlive() && p.holds(id)).findFirst();
            if (g.isPresent()) {
                return g.get();
            }
            GatewayProcess.sleep(100);
        }
        throw new AssertionError("no gateway opened " + id);
    }
}
