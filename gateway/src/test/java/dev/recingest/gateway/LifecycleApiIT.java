package dev.recingest.gateway;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recingest.events.Outbox;
import dev.recingest.gateway.http.AdminRoute;
import dev.recingest.protocol.Json;
import dev.recingest.protocol.Mode;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.Outcomes;
import dev.recingest.state.RecordingKeys;
import dev.recingest.state.RecordingState;
import dev.recingest.state.SeqMode;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.netty.buffer.Unpooled;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lifecycle endpoints over real HTTP against a real gateway, Redis and S3 server; every answer's
 * status is also checked against docs/openapi.yaml.
 */
class LifecycleApiIT {

    @TempDir
    static Path dir;
    static GatewayHarness h;
    static RedisClusterCommands<String, String> redis;
    static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    static final AtomicInteger IDS = new AtomicInteger();

    @BeforeAll
    static void up() {
        h = new GatewayHarness(dir, Map.of());
        redis = h.connection.sync();
    }

    @AfterAll
    static void down() {
        h.close();
    }

    /** Calls the API and checks that the answer is one the OpenAPI document lists for the operation. */
    static HttpResponse<String> call(AdminRoute route, String id, String query, String token) throws Exception {
        String path = route.template().replace("{id}", id == null ? "" : id) + (query == null ? "" : "?" + query);
        HttpRequest.Builder b = HttpRequest.newBuilder(h.httpUri(path))
                .method(route.method(), HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        OpenApiDoc.assertDocumented(route.method(), route.template(), r.statusCode());
        if (r.statusCode() >= 400) {
            JsonNode e = Json.MAPPER.readTree(r.body());
            assertEquals(r.statusCode(), e.get("status").asInt(), r.body());
            assertFalse(e.get("code").asText().isEmpty());
            assertTrue(e.has("message"));
        }
        return r;
    }

    static HttpResponse<String> admin(AdminRoute route, String id) throws Exception {
        return call(route, id, null, GatewayHarness.ADMIN);
    }

    static JsonNode json(HttpResponse<String> r) throws Exception {
        return Json.MAPPER.readTree(r.body());
    }

    static String newId() {
        return "life-" + IDS.incrementAndGet();
    }

    @Test
    void everyEndpointRefusesWithoutTheAdminTokenAndKnowsNoUnknownId() throws Exception {
        for (AdminRoute route : AdminRoute.values()) {
            String id = route == AdminRoute.LIST ? null : "never-seen";
            HttpResponse<String> noToken = call(route, id, null, null);
            assertEquals(401, noToken.statusCode(), route + ": " + noToken.body());
            assertEquals("UNAUTHORIZED", json(noToken).get("code").asText());
            assertEquals(401, call(route, id, null, "not-the-admin-token").statusCode(), route.name());
            if (id != null) {
                HttpResponse<String> unknown = admin(route, id);
                assertEquals(404, unknown.statusCode(), route + ": " + unknown.body());
                assertEquals("NOT_FOUND", json(unknown).get("code").asText());
                assertEquals(400, admin(route, "bad.id").statusCode(), route.name());
            }
        }
        assertFalse(redis.exists(new RecordingKeys(RecordingId.of("never-seen")).all()) > 0,
                "asking about an unknown id creates nothing");
    }

    @Test
    void aWrongMethodIs405WithAllow() throws Exception {
        HttpResponse<String> put = HTTP.send(HttpRequest.newBuilder(h.httpUri("/v1/recordings/x"))
                .header("Authorization", "Bearer " + GatewayHarness.ADMIN)
                .PUT(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, put.statusCode());
        assertEquals("GET, DELETE", put.headers().firstValue("Allow").orElse(""));
        assertEquals("METHOD_NOT_ALLOWED", json(put).get("code").asText());
        HttpResponse<String> getStop = HTTP.send(HttpRequest.newBuilder(h.httpUri("/v1/recordings/x/stop"))
                .header("Authorization", "Bearer " + GatewayHarness.ADMIN).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, getStop.statusCode());
        assertEquals("POST", getStop.headers().firstValue("Allow").orElse(""));
    }

    @Test
    void stopEndsAStuckRecordingQueuesItsMergeAndItsConnectionGets4409() throws Exception {
        String id = newId();
        try (TestSocket s = h.open(id)) {
            IngestProtocolIT.start(s, id, 0L);
            s.sendChunk(0, new byte[] {1, 2, 3});
            s.next("ack");
            s.sendChunk(1, new byte[] {4, 5});
            s.next("ack");

            HttpResponse<String> r = admin(AdminRoute.STOP, id);
            assertEquals(200, r.statusCode(), r.body());
            JsonNode body = json(r);
            assertEquals("STOPPED", body.get("state").asText());
            assertEquals(2, body.get("chunks").asLong());
            assertEquals(5, body.get("bytes").asLong());
            assertEquals(0, body.get("void").size());
            assertEquals(RecordingState.STOPPED, h.store.get(RecordingId.of(id)).join().orElseThrow().state());
            assertTrue(redis.xrange(RecordingKeys.MERGE_JOBS, io.lettuce.core.Range.unbounded()).stream()
                    .anyMatch(m -> id.equals(m.getBody().get("recordingId"))), "merge job queued");

            // The recorder that still holds the connection learns at its next write.
            s.sendChunk(2, new byte[] {6});
            JsonNode error = s.next("error");
            assertEquals("NOT_OPEN", error.get("code").asText());
            assertEquals(4409, s.awaitClose().code());
        }
        HttpResponse<String> again = admin(AdminRoute.STOP, id);
        assertEquals(409, again.statusCode());
        assertEquals("NOT_OPEN", json(again).get("code").asText());
        assertEquals("STOPPED", json(again).get("state").asText());
        assertEquals(List.of("recording.started", "recording.stopped"), eventsFor(id), "announced in the outbox");
    }

    @Test
    void stopNamesTheIndicesNeverStoredAndLeavesTheRecordingOpen() throws Exception {
        RecordingId id = RecordingId.of(newId());
        Outcomes.StartOutcome started = h.store.ledger().start(id, "video/mp2t", Mode.SEGMENTS, "").join();
        for (long seq = 0; seq < 3; seq++) {
            Outcomes.Assignment a = h.store.ledger().assign(id, started.epoch(), seq, SeqMode.EXPLICIT).join();
            if (seq != 1) { // index 1 is assigned but its write never finished
                h.s3.putChunk(id, a.index(), Unpooled.wrappedBuffer(new byte[] {(byte) seq})).join();
                h.store.ledger().commit(id, a.index(), 1).join();
            }
        }
        HttpResponse<String> r = admin(AdminRoute.STOP, id.value());
        assertEquals(409, r.statusCode(), r.body());
        assertEquals("INCOMPLETE", json(r).get("code").asText());
        assertEquals("[1]", json(r).get("missing").toString());
        assertEquals(RecordingState.RECORDING, h.store.get(id).join().orElseThrow().state());

        h.s3.putChunk(id, 1, Unpooled.wrappedBuffer(new byte[] {1})).join(); // the repair finds it now
        assertEquals(200, admin(AdminRoute.STOP, id.value()).statusCode());
        assertEquals(3, h.store.get(id).join().orElseThrow().chunks());
    }

    @Test
    void mergeRequeuesAFailedRecordingAndRefusesOthers() throws Exception {
        RecordingId id = stoppedRecording();
        h.store.transition(id, Set.of(RecordingState.STOPPED), RecordingState.FAILED,
                Map.of("errorCode", "MISSING_CHUNKS", "errorMessage", "chunks missing from storage: [0]")).join();
        h.store.retention().expire(id, java.time.Duration.ofHours(1)).join();
        long jobsBefore = jobsFor(id.value());

        HttpResponse<String> r = admin(AdminRoute.MERGE, id.value());
        assertEquals(202, r.statusCode(), r.body());
        assertEquals(true, json(r).get("queued").asBoolean());
        JsonNode now = json(admin(AdminRoute.GET, id.value()));
        assertEquals("STOPPED", now.get("state").asText());
        assertFalse(now.has("error"), "the old error is cleared");
        assertEquals(-1, redis.pttl(new RecordingKeys(id).meta()), "a recording merged again no longer expires");
        assertEquals(jobsBefore + 1, jobsFor(id.value()));

        RecordingId open = RecordingId.of(newId());
        h.store.ledger().start(open, "video/mp2t", Mode.SEGMENTS, "").join();
        HttpResponse<String> refused = admin(AdminRoute.MERGE, open.value());
        assertEquals(409, refused.statusCode());
        assertEquals("RECORDING", json(refused).get("state").asText());
    }

    @Test
    void deleteRefusesAnOpenRecordingUnlessForcedAndThenLeavesATombstone() throws Exception {
        String id = newId();
        RecordingId rid = RecordingId.of(id);
        try (TestSocket s = h.open(id)) {
            IngestProtocolIT.start(s, id, 0L);
            s.sendChunk(0, new byte[] {1, 2, 3});
            s.next("ack");

            HttpResponse<String> refused = admin(AdminRoute.DELETE, id);
            assertEquals(409, refused.statusCode());
            assertEquals("RECORDING", json(refused).get("state").asText());
            assertEquals(1, h.s3.listChunks(rid).join().size(), "nothing deleted");

            HttpResponse<String> forced = call(AdminRoute.DELETE, id, "force=true", GatewayHarness.ADMIN);
            assertEquals(200, forced.statusCode(), forced.body());
            assertEquals("RECORDING", json(forced).get("previousState").asText());
            assertTrue(h.s3.listChunks(rid).join().isEmpty(), "chunk objects deleted");
            RecordingKeys keys = new RecordingKeys(rid);
            assertEquals(0, redis.exists(keys.next(), keys.stored(), keys.voids()));
            assertTrue(redis.pttl(keys.meta()) > 0, "the tombstone expires");
            assertEquals(null, redis.zscore(RecordingKeys.RECORDINGS_INDEX, id), "gone from the listing");

            s.sendChunk(1, new byte[] {4});
            assertEquals("NOT_OPEN", s.next("error").get("code").asText());
            assertEquals(4409, s.awaitClose().code());
        }
        try (TestSocket again = h.open(id)) { // a recorder that reconnects does not start the id afresh
            again.sendText("{\"type\":\"start\",\"recordingId\":\"" + id + "\",\"contentType\":\"video/mp2t\"}");
            assertEquals("ABORTED", again.next("error").get("state").asText());
            assertEquals(4409, again.awaitClose().code());
        }
    }

    @Test
    void aCompletedRecordingRedirectsToItsMp4SignedForThePublicEndpointAndDeletesCompletely() throws Exception {
        RecordingId id = stoppedRecording();
        byte[] mp4 = "not really an mp4, but bytes".getBytes(StandardCharsets.UTF_8);
        String key = h.s3.keys().output(id);
        h.s3.putBytes(key, mp4, "video/mp4").join();
        h.s3.putBytes(h.s3.keys().manifest(id), "{}".getBytes(StandardCharsets.UTF_8), "application/json").join();
        h.store.transition(id, Set.of(RecordingState.STOPPED), RecordingState.COMPLETED,
                Map.of("outputKey", key, "outputSize", Integer.toString(mp4.length), "durationSeconds", "1.5")).join();

        HttpResponse<String> r = admin(AdminRoute.OUTPUT, id.value());
        assertEquals(302, r.statusCode());
        URI location = URI.create(r.headers().firstValue("Location").orElseThrow());
        assertEquals("localhost", location.getHost(), "signed for RECINGEST_S3_PUBLIC_ENDPOINT");
        HttpResponse<byte[]> download = HTTP.send(HttpRequest.newBuilder(location).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, download.statusCode(), "the presigned URL works at that host");
        assertArrayEquals(mp4, download.body());

        HttpResponse<String> deleted = admin(AdminRoute.DELETE, id.value());
        assertEquals(200, deleted.statusCode(), deleted.body());
        assertEquals("COMPLETED", json(deleted).get("previousState").asText());
        assertEquals(java.util.Optional.empty(), h.s3.size(key).join());
        assertEquals(java.util.Optional.empty(), h.s3.size(h.s3.keys().manifest(id)).join());
        assertTrue(h.s3.listChunks(id).join().isEmpty());
        assertEquals(0, redis.exists(new RecordingKeys(id).all()));
        assertEquals(404, admin(AdminRoute.GET, id.value()).statusCode());
    }

    @Test
    void aRecordingWhoseKeysExpiredIsReadFromItsManifestAndCanBeDeleted() throws Exception {
        RecordingId id = RecordingId.of(newId());
        String key = h.s3.keys().output(id);
        h.s3.putBytes(key, new byte[] {1, 2, 3}, "video/mp4").join();
        String manifest = "{\"recordingId\":\"" + id + "\",\"contentType\":\"video/mp2t\",\"mode\":\"segments\","
                + "\"state\":\"COMPLETED\",\"createdAt\":\"2026-01-01T00:00:00Z\",\"completedAt\":\"2026-01-01T00:10:00Z\","
                + "\"chunkCount\":60,\"bytes\":1000,\"chunks\":[],\"void\":[],\"metadata\":{\"room\":\"7\"},"
                + "\"output\":{\"key\":\"" + key + "\",\"size\":3,\"durationSeconds\":600.02,\"streams\":[]}}";
        h.s3.putBytes(h.s3.keys().manifest(id), manifest.getBytes(StandardCharsets.UTF_8), "application/json").join();

        HttpResponse<String> r = admin(AdminRoute.GET, id.value());
        assertEquals(200, r.statusCode(), r.body());
        JsonNode body = json(r);
        assertEquals("COMPLETED", body.get("state").asText());
        assertTrue(body.get("archived").asBoolean());
        assertEquals(60, body.get("chunks").asLong());
        assertEquals("7", body.get("metadata").get("room").asText());
        assertEquals(600.02, body.get("output").get("durationSeconds").asDouble());
        assertEquals(302, admin(AdminRoute.OUTPUT, id.value()).statusCode());

        HttpResponse<String> deleted = admin(AdminRoute.DELETE, id.value());
        assertEquals(200, deleted.statusCode());
        assertEquals("EXPIRED", json(deleted).get("previousState").asText());
        assertEquals(404, admin(AdminRoute.GET, id.value()).statusCode());
    }

    @Test
    void theListingPagesByStateAndForgetsExpiredIds() throws Exception {
        RecordingId a = stoppedRecording();
        RecordingId gone = stoppedRecording();
        RecordingId b = stoppedRecording();
        redis.del(new RecordingKeys(gone).all()); // as if its keys had expired
        List<String> stopped = new java.util.ArrayList<>();
        Long offset = 0L;
        while (offset != null) {
            JsonNode page = json(call(AdminRoute.LIST, null, "state=STOPPED&limit=2&offset=" + offset, GatewayHarness.ADMIN));
            page.get("recordings").forEach(r -> stopped.add(r.get("recordingId").asText()));
            offset = page.hasNonNull("nextOffset") ? page.get("nextOffset").asLong() : null;
        }
        assertTrue(stopped.containsAll(List.of(a.value(), b.value())), "every stopped recording on some page: " + stopped);
        assertFalse(stopped.contains(gone.value()));
        assertEquals(null, redis.zscore(RecordingKeys.RECORDINGS_INDEX, gone.value()), "expired ids leave the listing");
        assertEquals(400, call(AdminRoute.LIST, null, "state=NOPE", GatewayHarness.ADMIN).statusCode());
    }

    @Test
    void anAbortedRecordingsKeysExpire() {
        String id = newId();
        try (TestSocket s = h.open(id)) {
            IngestProtocolIT.start(s, id, 0L);
            s.sendText("{\"type\":\"abort\"}");
            s.next("aborted");
        }
        long ttl = redis.pttl(new RecordingKeys(RecordingId.of(id)).meta());
        assertTrue(ttl > 0 && ttl <= java.time.Duration.ofDays(7).toMillis(), "RECINGEST_RETENTION_REDIS: " + ttl);
    }

    /** A STOPPED recording with one stored chunk, made through the store as the gateway would. */
    private static RecordingId stoppedRecording() {
        RecordingId id = RecordingId.of(newId());
        Outcomes.StartOutcome started = h.store.ledger().start(id, "video/mp2t", Mode.SEGMENTS, "").join();
        Outcomes.Assignment a = h.store.ledger().assign(id, started.epoch(), 0, SeqMode.EXPLICIT).join();
        h.s3.putChunk(id, a.index(), Unpooled.wrappedBuffer(new byte[] {9})).join();
        h.store.ledger().commit(id, a.index(), 1).join();
        assertEquals(Outcomes.StopKind.STOPPED, h.store.ledger().stop(id, started.epoch(), 0L).join().kind());
        return id;
    }

    private static long jobsFor(String id) {
        return redis.xrange(RecordingKeys.MERGE_JOBS, io.lettuce.core.Range.unbounded()).stream()
                .filter(m -> id.equals(m.getBody().get("recordingId"))).count();
    }

    /** The types of the outbox events about {@code id}, in publishing order (waits briefly: publishing is async). */
    private static List<String> eventsFor(String id) throws InterruptedException {
        List<String> types = List.of();
        for (int i = 0; i < 100; i++) {
            types = redis.xrange(Outbox.STREAM, io.lettuce.core.Range.unbounded()).stream()
                    .filter(m -> m.getBody().get(Outbox.FIELD_BODY).contains("\"recordingId\":\"" + id + "\""))
                    .map(StreamMessage::getBody).map(b -> b.get(Outbox.FIELD_TYPE)).toList();
            if (types.size() >= 2) {
                break;
            }
            Thread.sleep(50);
        }
        return types;
    }
}
