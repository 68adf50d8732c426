package dev.recingest.gateway;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.auth0.jwt.JWT;
import com.fasterxml.jackson.databind.JsonNode;
import dev.recingest.auth.Tokens;
import dev.recingest.gateway.web.DemoTokens;
import dev.recingest.gateway.web.WebConfig;
import dev.recingest.protocol.Json;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the gateway serves browsers, over real HTTP: the recorder module (types, caching, CORS, nothing
 * outside its file list), the demo page and its development token (only when enabled, only to a local
 * browser), and the reads a recorder token may make of its own recording (and nothing else).
 */
class WebIT {

    @TempDir
    static Path dir;
    /** A production gateway: demo off. */
    static GatewayHarness plain;
    /** What {@code all} runs: demo on, with development tokens. */
    static GatewayHarness demo;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void up() {
        plain = new GatewayHarness(dir.resolve("plain"), Map.of());
        Tokens tokens = new Tokens(GatewayHarness.SECRET);
        demo = new GatewayHarness(dir.resolve("demo"), Map.of(), new WebConfig(true,
                seconds -> tokens.issueForPrefix("demo", DemoTokens.PREFIX, Duration.ofSeconds(seconds))));
    }

    @AfterAll
    static void down() {
        plain.close();
        demo.close();
    }

    static HttpResponse<byte[]> send(GatewayHarness h, String method, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(h.httpUri(path)).method(method, HttpRequest.BodyPublishers.noBody());
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** A request written byte for byte (the JDK client would refuse or normalise some of these). */
    static String raw(GatewayHarness h, String request) throws IOException {
        try (WireSocket w = WireSocket.connect(h.httpUri("").getPort())) {
            w.raw(request.getBytes(StandardCharsets.US_ASCII));
            return new String(w.readAll(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void theRecorderModuleIsServedAsPublishedWithItsTypeCachingAndCors() throws Exception {
        Path folder = Path.of("..", "web", "recorder");
        JsonNode pkg = Json.MAPPER.readTree(Files.readAllBytes(folder.resolve("package.json")));
        List<String> files = new ArrayList<>();
        pkg.get("files").forEach(f -> files.add(f.asText()));
        files.add("package.json");
        for (String f : files) {
            HttpResponse<byte[]> r = send(plain, "GET", "/recorder/" + f);
            assertEquals(200, r.statusCode(), f);
            assertArrayEquals(Files.readAllBytes(folder.resolve(f)), r.body(), f + " is served as it is in web/recorder");
            assertEquals("*", r.headers().firstValue("access-control-allow-origin").orElse(null), f);
            assertEquals("nosniff", r.headers().firstValue("x-content-type-options").orElse(null));
            assertEquals("no-cache", r.headers().firstValue("cache-control").orElse(null));
            String etag = r.headers().firstValue("etag").orElseThrow();
            assertEquals(304, send(plain, "GET", "/recorder/" + f, "If-None-Match", etag).statusCode(), f);
        }
        assertEquals("text/javascript; charset=utf-8",
                send(plain, "GET", "/recorder/recorder.js").headers().firstValue("content-type").orElse(null));
        assertEquals(405, send(plain, "POST", "/recorder/recorder.js").statusCode());
    }

    @Test
    void noPathReachesAnythingButTheListedFiles() throws Exception {
        for (String path : List.of("/recorder/../pom.xml", "/recorder/%2e%2e/pom.xml", "/recorder/..%2fpom.xml",
                "/recorder/test/driver.mjs", "/recorder/node_modules/playwright-core/package.json", "/recorder/",
                "/recorder//recorder.js", "/recorder/recorder.js/", "/recorder/RECORDER.JS",
                "/recorder/dev/recingest/gateway/web/recorder/recorder.js")) {
            String answer = raw(plain, "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
            assertTrue(answer.startsWith("HTTP/1.1 404"), path + " → " + answer.lines().findFirst().orElse(""));
        }
    }

    @Test
    void theDemoIsOffInAPlainGatewayAndOnWhenEnabled() throws Exception {
        assertEquals(404, send(plain, "GET", "/demo/").statusCode());
        assertEquals(404, send(plain, "POST", "/demo/token").statusCode());
        HttpResponse<byte[]> page = send(demo, "GET", "/demo/");
        assertEquals(200, page.statusCode());
        assertEquals("text/html; charset=utf-8", page.headers().firstValue("content-type").orElse(null));
        assertTrue(page.headers().firstValue("content-security-policy").orElseThrow().contains("frame-ancestors 'none'"));
        assertEquals(200, send(demo, "GET", "/demo/demo.js").statusCode());
        assertEquals(200, send(demo, "GET", "/demo/demo.css").statusCode());
        HttpResponse<byte[]> root = send(demo, "GET", "/");
        assertEquals(302, root.statusCode());
        assertEquals("/demo/", root.headers().firstValue("location").orElse(null));
    }

    @Test
    void theDevelopmentTokenGoesOnlyToABrowserOnThisMachineTalkingToTheGatewayDirectly() throws Exception {
        HttpResponse<byte[]> ok = send(demo, "POST", "/demo/token");
        assertEquals(200, ok.statusCode(), new String(ok.body(), StandardCharsets.UTF_8));
        assertEquals("no-store", ok.headers().firstValue("cache-control").orElse(null));
        String token = Json.MAPPER.readTree(ok.body()).get("token").asText();
        assertEquals(DemoTokens.PREFIX, JWT.decode(token).getClaim("rec_prefix").asString(), "covers demo-* only");

        int port = demo.httpUri("").getPort();
        for (String headers : List.of("Host: rebound.example:" + port, "Host: 127.0.0.1:" + port + "\r\nX-Forwarded-For: 203.0.113.9",
                "Host: 127.0.0.1:" + port + "\r\nForwarded: for=203.0.113.9",
                "Host: 127.0.0.1:" + port + "\r\nOrigin: http://evil.example")) {
            String answer = raw(demo, "POST /demo/token HTTP/1.1\r\n" + headers + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            assertTrue(answer.startsWith("HTTP/1.1 403"), headers + " → " + answer.lines().findFirst().orElse(""));
            assertTrue(answer.contains("\"FORBIDDEN\"") && !answer.contains("eyJ"), "no token: " + answer);
        }
        String sameOrigin = raw(demo, "POST /demo/token HTTP/1.1\r\nHost: localhost:" + port + "\r\nOrigin: http://localhost:"
                + port + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        assertTrue(sameOrigin.startsWith("HTTP/1.1 200"), sameOrigin);
        assertEquals(405, send(demo, "GET", "/demo/token").statusCode());
    }

    @Test
    void aRecorderTokenReadsItsOwnRecordingAndNothingElse() throws Exception {
        String id = "web-reader-1";
        try (TestSocket s = plain.open(id)) {
            IngestProtocolIT.start(s, id, 0L);
            s.sendChunk(0, new byte[] {1, 2, 3});
            s.next("ack");
        }
        try (TestSocket s = plain.open("web-other")) {
            IngestProtocolIT.start(s, "web-other", 0L);
        }
        String own = plain.token(id);
        HttpResponse<byte[]> r = send(plain, "GET", "/v1/recordings/" + id, "Authorization", "Bearer " + own);
        assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
        assertEquals("RECORDING", Json.MAPPER.readTree(r.body()).get("state").asText());
        assertEquals(409, send(plain, "GET", "/v1/recordings/" + id + "/output?redirect=false", "Authorization", "Bearer " + own)
                .statusCode(), "its output, once there is one");
        String prefix = new Tokens(GatewayHarness.SECRET).issueForPrefix("t", "web-", Duration.ofMinutes(5));
        assertEquals(200, send(plain, "GET", "/v1/recordings/web-other", "Authorization", "Bearer " + prefix).statusCode());

        for (String[] call : List.of(new String[] {"GET", "/v1/recordings/web-other"}, new String[] {"GET", "/v1/recordings"},
                new String[] {"POST", "/v1/recordings/" + id + "/stop"}, new String[] {"POST", "/v1/recordings/" + id + "/merge"},
                new String[] {"DELETE", "/v1/recordings/" + id}, new String[] {"DELETE", "/v1/recordings/" + id + "?force=true"})) {
            HttpResponse<byte[]> refused = send(plain, call[0], call[1], "Authorization", "Bearer " + own);
            assertEquals(403, refused.statusCode(), call[0] + " " + call[1]);
            assertEquals("FORBIDDEN", Json.MAPPER.readTree(refused.body()).get("code").asText());
        }
        String expired = new Tokens(GatewayHarness.SECRET).issueForRecording("t", id, Duration.ofSeconds(-60));
        assertEquals(401, send(plain, "GET", "/v1/recordings/" + id, "Authorization", "Bearer " + expired).statusCode());
        assertEquals(401, send(plain, "GET", "/v1/recordings/" + id, "Authorization", "Bearer not.a.jwt").statusCode());
        assertEquals("RECORDING", Json.MAPPER.readTree(send(plain, "GET", "/v1/recordings/" + id, "Authorization",
                "Bearer " + GatewayHarness.ADMIN).body()).get("state").asText(), "the refused calls changed nothing");
    }

    @Test
    void pagesOnOtherOriginsMayCallTheRecorderReads() throws Exception {
        HttpResponse<byte[]> preflight = send(plain, "OPTIONS", "/v1/recordings/web-x", "Origin", "https://app.example",
                "Access-Control-Request-Method", "GET", "Access-Control-Request-Headers", "authorization");
        assertEquals(204, preflight.statusCode());
        assertEquals("*", preflight.headers().firstValue("access-control-allow-origin").orElse(null));
        assertEquals("Authorization", preflight.headers().firstValue("access-control-allow-headers").orElse(null));
        HttpResponse<byte[]> get = send(plain, "GET", "/v1/recordings/web-x", "Origin", "https://app.example",
                "Authorization", "Bearer " + plain.token("web-x"));
        assertEquals(404, get.statusCode());
        assertEquals("*", get.headers().firstValue("access-control-allow-origin").orElse(null));
        assertTrue(send(plain, "GET", "/metrics", "Origin", "https://app.example").headers()
                .firstValue("access-control-allow-origin").isEmpty(), "metrics are not for other origins");
    }
}
