package dev.recingest.client.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.recingest.client.ClientException;
import dev.recingest.protocol.Json;
import dev.recingest.protocol.Message;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads recordings through the admin API. Failures are {@link ClientException}s with the HTTP status
 * and a code: {@code UNAUTHORIZED} (401), {@code FORBIDDEN} (403), {@code NOT_FOUND} (404),
 * {@code CONFLICT} (409), {@code HTTP_<status>} otherwise, {@code CONNECT_FAILED} when there is no answer.
 */
public final class AdminClient {

    private static final Logger LOG = LoggerFactory.getLogger(AdminClient.class);
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(500);

    private final URI base;
    private final String token;
    private final Duration requestTimeout;
    // Redirects are followed by hand: the output's redirect points at a presigned S3 URL, which must
    // not receive our Authorization header (S3 rejects a request that carries two kinds of auth).
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    /** @param httpBase the gateway's HTTP base, e.g. {@code http://127.0.0.1:8080} */
    public AdminClient(URI httpBase, String adminToken, Duration requestTimeout) {
        String b = Objects.requireNonNull(httpBase, "httpBase").toString();
        this.base = URI.create(b.endsWith("/") ? b.substring(0, b.length() - 1) : b);
        this.token = adminToken;
        this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
    }

    public AdminClient(URI httpBase, String adminToken) {
        this(httpBase, adminToken, Duration.ofSeconds(10));
    }

    /** {@code GET /v1/recordings/{id}}. */
    public RecordingStatus recording(String recordingId) throws InterruptedException {
        HttpResponse<String> r = get(recordingPath(recordingId), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw failure(r.statusCode(), r.body(), "GET recording " + recordingId);
        }
        JsonNode n;
        try {
            n = Json.MAPPER.readTree(r.body());
        } catch (IOException e) {
            throw new ClientException("HTTP_200", "unreadable answer for recording " + recordingId + ": " + r.body(),
                    null, null, 200, e);
        }
        return RecordingStatus.from(n);
    }

    /**
     * Polls {@link #recording} until the state is final (COMPLETED, FAILED or ABORTED) and returns that
     * status; a ClientException with code {@code TIMEOUT} when {@code timeout} passes first. A temporary
     * answer (502, 503, 504: the gateway's Redis or storage briefly away) is polled through until then.
     */
    public RecordingStatus awaitFinal(String recordingId, Duration timeout, Duration pollInterval)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String lastState = null;
        while (true) {
            RecordingStatus s;
            try {
                s = recording(recordingId);
            } catch (ClientException e) {
                // A gateway whose Redis or storage is briefly away answers 503 (502/504 through a proxy):
                // the recording is not lost, so keep polling until the deadline.
                if (!isTemporary(e) || System.nanoTime() > deadline) {
                    throw e;
                }
                LOG.atInfo().addKeyValue("recording", recordingId).addKeyValue("error", e.getMessage())
                        .log("recording status not read, polling again");
                Thread.sleep(pollInterval.toMillis());
                continue;
            }
            if (!Objects.equals(s.state(), lastState)) {
                LOG.atInfo().addKeyValue("recording", recordingId).addKeyValue("state", s.state()).log("recording state changed");
                lastState = s.state();
            }
            if (s.isFinal()) {
                return s;
            }
            if (System.nanoTime() > deadline) {
                throw ClientException.of(ClientException.TIMEOUT, "recording " + recordingId + " still "
                        + s.state() + " after " + timeout);
            }
            Thread.sleep(pollInterval.toMillis());
        }
    }

    /**
     * Downloads the merged MP4 ({@code GET /v1/recordings/{id}/output}, following a 302 to a presigned
     * URL without our token) to {@code target}; returns its size.
     */
    public long downloadOutput(String recordingId, Path target) throws InterruptedException, IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".part");
        HttpResponse<Path> r = get(recordingPath(recordingId) + "/output", HttpResponse.BodyHandlers.ofFile(tmp));
        if (r.statusCode() / 100 == 3) {
            String location = r.headers().firstValue("Location")
                    .orElseThrow(() -> failure(r.statusCode(), "redirect without Location", "GET output"));
            HttpRequest follow = HttpRequest.newBuilder(base.resolve(location)).timeout(requestTimeout).GET().build();
            HttpResponse<Path> f = send(follow, HttpResponse.BodyHandlers.ofFile(tmp));
            if (f.statusCode() != 200) {
                throw failure(f.statusCode(), Files.readString(tmp), "GET presigned output");
            }
        } else if (r.statusCode() != 200) {
            throw failure(r.statusCode(), Files.readString(tmp), "GET output of " + recordingId);
        }
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        return Files.size(target);
    }

    private String recordingPath(String recordingId) {
        return "/v1/recordings/" + URLEncoder.encode(recordingId, StandardCharsets.UTF_8);
    }

    private <T> HttpResponse<T> get(String path, HttpResponse.BodyHandler<T> handler) throws InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(requestTimeout).GET();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return send(b.build(), handler);
    }

    private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler)
            throws InterruptedException {
        try {
            return http.send(request, handler);
        } catch (IOException e) {
            throw new ClientException(ClientException.CONNECT_FAILED, request.method() + " " + request.uri()
                    + ": " + e, null, null, 0, e);
        }
    }

    private static boolean isTemporary(ClientException e) {
        return e.httpStatus() == 502 || e.httpStatus() == 503 || e.httpStatus() == 504;
    }

    /**
     * The failure of an admin call: the API's error body (docs/API.md: {@code code}, {@code message} and the fields
     * of the code's detail) read into the protocol's error, so that {@link ClientException#errorCode()} and
     * {@link ClientException#detail()} work as for the WebSocket; a body that is not one (a proxy's page, the object
     * store's XML) leaves the code to the HTTP status.
     */
    private static ClientException failure(int status, String body, String what) {
        Message.Error error = errorBody(body);
        String code = error != null ? error.code() : switch (status) {
            case 401 -> "UNAUTHORIZED";
            case 403 -> "FORBIDDEN";
            case 404 -> "NOT_FOUND";
            case 409 -> "CONFLICT";
            default -> "HTTP_" + status;
        };
        String shown = body == null ? "" : body.length() > 500 ? body.substring(0, 500) + "..." : body;
        return new ClientException(code, what + " answered " + status + ": " + shown, error, null, status, null);
    }

    /** The API's error body read as the protocol's error message (the same field names), or null if it is not one. */
    static Message.Error errorBody(String body) {
        try {
            if (body == null || body.isBlank() || !(Json.MAPPER.readTree(body) instanceof ObjectNode o)
                    || !o.path("code").isTextual()) {
                return null;
            }
            o.put("type", "error");
            return (Message.Error) Json.MAPPER.treeToValue(o, Message.class);
        } catch (JsonProcessingException | ClassCastException e) {
            return null;
        }
    }
}
