package dev.recingest.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recingest.client.ClientOptions;
import dev.recingest.client.IngestClient;
import dev.recingest.config.Settings;
import dev.recingest.protocol.Json;
import dev.recingest.protocol.Mode;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.RecordingKeys;
import dev.recingest.testkit.Waits;
import io.netty.buffer.Unpooled;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lifecycle through the whole system (the launcher's embedded cluster: gateway, merger, webhook
 * delivery): a recorder that vanishes, an operator who stops it over the API, a chunk object that is
 * missing, the FAILED recording merged again once it is restored; and every step announced to a webhook
 * receiver that checks the signatures.
 */
class LifecycleIT {

    private static final String SECRET = "lifecycle-webhook-secret";
    private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    @TempDir
    static Path dir;
    static WebhookReceiver receiver;
    static EmbeddedCluster cluster;

    @BeforeAll
    static void up() {
        receiver = new WebhookReceiver(SECRET);
        cluster = EmbeddedCluster.start(Settings.of(Map.of("RECINGEST_PORT", "0",
                "RECINGEST_DATA_DIR", dir.resolve("data").toString(),
                "RECINGEST_WEBHOOK_URLS", receiver.url().toString(),
                "RECINGEST_WEBHOOK_SECRET", SECRET,
                "RECINGEST_WEBHOOK_TIMEOUT", "2s",
                "RECINGEST_WEBHOOK_POLL", "500ms",
                // The merge from the chunks, whose check finds the lost object: with the live rendition on, the
                // MP4 comes from what the rendition already read, so the loss would fail the recording or not
                // depending on whether the rendition read chunk 1 before it was deleted.
                "RECINGEST_LIVE", "false")));
    }

    @AfterAll
    static void down() {
        cluster.close();
        receiver.close();
    }

    static HttpResponse<String> admin(String method, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(cluster.httpBase() + path))
                .header("Authorization", "Bearer " + cluster.adminToken())
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode awaitState(String id, Set<String> states) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = Json.MAPPER.readTree(admin("GET", "/v1/recordings/" + id).body());
            if (states.contains(last.path("state").asText())) {
                return last;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(id + " did not reach " + states + "; last: " + last);
    }

    @Test
    void aStuckRecordingStoppedByTheOperatorFailsOnAMissingChunkAndCompletesWhenRequeued() throws Exception {
        String id = "operator-stop";
        RecordingId rid = RecordingId.of(id);
        Path source = Media.tsH264Aac(dir, 8);
        byte[] all = Files.readAllBytes(source);
        List<byte[]> chunks = new ArrayList<>();
        for (int off = 0; off < all.length; off += 64 << 10) {
            chunks.add(Arrays.copyOfRange(all, off, Math.min(all.length, off + (64 << 10))));
        }
        try (IngestClient recorder = new IngestClient(ClientOptions.defaults(cluster.ingestUri(),
                cluster.recorderToken(Duration.ofMinutes(10))))) {
            recorder.start(id, "video/mp2t", Mode.STREAM, Json.MAPPER.readTree("{\"room\":\"lc\"}")).get(20, TimeUnit.SECONDS);
            List<CompletableFuture<?>> acks = new ArrayList<>();
            for (int seq = 0; seq < chunks.size(); seq++) {
                acks.add(recorder.send(seq, chunks.get(seq)));
            }
            CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        } // the recorder goes away without a stop
        var s3 = cluster.backends().s3();
        s3.delete(s3.keys().chunk(rid, 1)).join(); // and an object is lost

        HttpResponse<String> stopped = admin("POST", "/v1/recordings/" + id + "/stop");
        assertEquals(200, stopped.statusCode(), stopped.body());
        assertEquals(chunks.size(), Json.MAPPER.readTree(stopped.body()).get("chunks").asInt());

        JsonNode failed = awaitState(id, Set.of("FAILED", "COMPLETED"));
        assertEquals("FAILED", failed.get("state").asText());
        assertEquals("MISSING_CHUNKS", failed.get("error").get("code").asText());
        assertEquals("chunks missing from storage: [1]", failed.get("error").get("message").asText());

        s3.putChunk(rid, 1, Unpooled.wrappedBuffer(chunks.get(1))).join();
        HttpResponse<String> requeued = admin("POST", "/v1/recordings/" + id + "/merge");
        assertEquals(202, requeued.statusCode(), requeued.body());
        JsonNode done = awaitState(id, Set.of("COMPLETED", "FAILED"));
        assertEquals("COMPLETED", done.get("state").asText(), done.toString());

        HttpResponse<String> output = admin("GET", "/v1/recordings/" + id + "/output");
        assertEquals(302, output.statusCode());
        Path mp4 = dir.resolve("operator-stop.mp4");
        HttpResponse<Path> download = HTTP.send(HttpRequest.newBuilder(URI.create(output.headers()
                .firstValue("Location").orElseThrow())).build(), HttpResponse.BodyHandlers.ofFile(mp4));
        assertEquals(200, download.statusCode());
        assertEquals(8.0, Media.duration(mp4), 0.5);
        Media.decodeFrameAt(mp4, 4.0);
        long ttl = cluster.backends().connection().sync().pttl(new RecordingKeys(rid).meta());
        assertTrue(ttl > 0, "the completed recording's keys expire (RECINGEST_RETENTION_REDIS)");

        Waits.until(() -> receiver.types(id).containsAll(List.of("recording.started", "recording.stopped",
                "recording.failed", "recording.completed")), Duration.ofSeconds(30), "every event arrived");
        assertEquals(List.of(), receiver.badSignatures());
        JsonNode failedEvent = receiver.events(id, "recording.failed").get(0);
        assertEquals("MISSING_CHUNKS", failedEvent.get("recording").get("error").get("code").asText());
        JsonNode completed = receiver.events(id, "recording.completed").get(0).get("recording");
        assertEquals(done.get("output").get("key").asText(), completed.get("output").get("key").asText());
        assertEquals(done.get("output").get("size").asLong(), completed.get("output").get("size").asLong());
        assertEquals(done.get("output").get("durationSeconds").asDouble(),
                completed.get("output").get("durationSeconds").asDouble(), 1e-9);
        assertEquals("lc", completed.get("metadata").get("room").asText());
        assertTrue(completed.hasNonNull("createdAt") && completed.hasNonNull("stoppedAt")
                && completed.hasNonNull("completedAt"));
        System.out.println("lifecycle events for " + id + ": " + receiver.types(id));
    }
}
