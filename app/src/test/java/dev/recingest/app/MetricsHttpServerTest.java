package dev.recingest.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recingest.observability.Metrics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** The merger's metrics port answers like the gateway's: GET only (405 with Allow otherwise), known paths only. */
class MetricsHttpServerTest {

    @Test
    void getServesMetricsAndHealthOtherMethodsAre405WithAllow() throws Exception {
        try (MetricsHttpServer server = new MetricsHttpServer("127.0.0.1", 0, Metrics.newRegistry())) {
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + server.port();
            HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, metrics.statusCode());
            assertTrue(metrics.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
            assertEquals(200, http.send(HttpRequest.newBuilder(URI.create(base + "/healthz")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
            for (String path : java.util.List.of("/metrics", "/healthz")) {
                HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create(base + path))
                        .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(405, post.statusCode(), path);
                assertEquals("GET", post.headers().firstValue("Allow").orElse(null));
            }
            assertEquals(404, http.send(HttpRequest.newBuilder(URI.create(base + "/metricsx")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
        }
    }
}
