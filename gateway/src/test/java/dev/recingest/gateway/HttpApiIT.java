package dev.recingest.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recingest.protocol.Json;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** Health, readiness, metrics and the recording lookup, over real HTTP. */
class HttpApiIT extends OnDefaultGateway {

    static final HttpClient HTTP = HttpClient.newHttpClient();

    static HttpResponse<String> get(String path, String bearer) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(h.httpUri(path)).GET();
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void healthReadinessAndMetricsNeedNoToken() throws Exception {
        assertEquals(200, get("/healthz", null).statusCode());
        HttpResponse<String> ready = get("/readyz", null);
        assertEquals(200, ready.statusCode(), ready.body());
        HttpResponse<String> metrics = get("/metrics", null);
        assertEquals(200, metrics.statusCode());
        assertTrue(metrics.body().contains("recingest_chunks_total"), "Prometheus names with _total");
        assertTrue(metrics.body().contains("recingest_ack_latency_seconds"));
    }

    @Test
    void healthReadinessAndMetricsRefuseOtherMethodsWith405AndAllow() throws Exception {
        for (String path : java.util.List.of("/healthz", "/readyz", "/metrics")) {
            for (String method : java.util.List.of("POST", "PUT", "DELETE")) {
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(h.httpUri(path))
                        .method(method, HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(405, r.statusCode(), method + " " + path + ": " + r.body());
                assertEquals("GET", r.headers().firstValue("Allow").orElse(null), method + " " + path);
                assertEquals("METHOD_NOT_ALLOWED", Json.MAPPER.readTree(r.body()).get("code").asText());
            }
        }
    }

    @Test
    void aRecordingIsVisibleWithTheAdminToken() throws Exception {
        String id = "http-1";
        try (TestSocket s = h.open(id)) {
            IngestProtocolIT.start(s, id, 0L);
            s.sendChunk(0, new byte[] {1, 2, 3, 4});
            s.next("ack");
        }
        HttpResponse<String> r = get("/v1/recordings/" + id, GatewayHarness.ADMIN);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode body = Json.MAPPER.readTree(r.body());
        assertEquals(id, body.get("recordingId").asText());
        assertEquals("RECORDING", body.get("state").asText());
        assertEquals("video/webm;codecs=vp8,opus", body.get("contentType").asText());
        assertEquals("stream", body.get("mode").asText());
        assertEquals(1, body.get("chunks").asLong());
        assertEquals(4, body.get("bytes").asLong());
        assertEquals("42", body.get("metadata").get("room").asText());
        assertTrue(body.hasNonNull("createdAt") && body.hasNonNull("updatedAt"));

        HttpResponse<String> output = get("/v1/recordings/" + id + "/output", GatewayHarness.ADMIN);
        assertEquals(409, output.statusCode(), "no output before COMPLETED");
        JsonNode list = Json.MAPPER.readTree(get("/v1/recordings?state=RECORDING", GatewayHarness.ADMIN).body());
        assertTrue(list.get("recordings").findValuesAsText("recordingId").contains(id));
    }

    @Test
    void theAdminApiRefusesWithoutTheToken() throws Exception {
        HttpResponse<String> r = get("/v1/recordings/anything", null);
        assertEquals(401, r.statusCode());
        assertEquals("UNAUTHORIZED", Json.MAPPER.readTree(r.body()).get("code").asText());
        assertEquals(401, get("/v1/recordings/anything", "wrong-token").statusCode());
    }

    @Test
    void unknownIdsAre404AndBadIds400() throws Exception {
        HttpResponse<String> r = get("/v1/recordings/never-seen", GatewayHarness.ADMIN);
        assertEquals(404, r.statusCode());
        assertEquals("NOT_FOUND", Json.MAPPER.readTree(r.body()).get("code").asText());
        assertEquals(400, get("/v1/recordings/bad.id", GatewayHarness.ADMIN).statusCode());
        assertEquals(404, get("/nothing-here", null).statusCode());
    }
}
