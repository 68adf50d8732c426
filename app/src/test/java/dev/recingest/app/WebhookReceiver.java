package dev.recingest.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.recingest.protocol.Json;
import dev.recingest.webhook.Signature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A webhook receiver on loopback, as a user would write one: it verifies each request's signature
 * (answering 401 when it does not match) and keeps the events it accepted.
 */
final class WebhookReceiver implements AutoCloseable {

    private final HttpServer server;
    private final String secret;
    private final List<JsonNode> events = new CopyOnWriteArrayList<>();
    private final List<String> badSignatures = new CopyOnWriteArrayList<>();

    WebhookReceiver(String secret) {
        this.secret = secret;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/events", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            String signature = ex.getRequestHeaders().getFirst(Signature.HEADER);
            int status;
            if (Signature.verify(secret, body, signature)) {
                events.add(Json.MAPPER.readTree(body));
                status = 204;
            } else {
                badSignatures.add(signature);
                status = 401;
            }
            ex.sendResponseHeaders(status, -1);
            ex.close();
        });
        server.start();
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/events");
    }

    String secret() {
        return secret;
    }

    /** Accepted events about {@code recordingId} of {@code type} ("recording.completed"), in arrival order. */
    List<JsonNode> events(String recordingId, String type) {
        return events.stream().filter(e -> e.get("type").asText().equals(type)
                && e.get("recording").get("recordingId").asText().equals(recordingId)).toList();
    }

    /** The types of the accepted events about {@code recordingId}, in arrival order. */
    List<String> types(String recordingId) {
        return events.stream().filter(e -> e.get("recording").get("recordingId").asText().equals(recordingId))
                .map(e -> e.get("type").asText()).toList();
    }

    List<String> badSignatures() {
        return List.copyOf(badSignatures);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
