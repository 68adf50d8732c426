package dev.recingest.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recingest.protocol.ChunkFrame;
import dev.recingest.protocol.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A raw WebSocket client (the JDK's) for protocol tests: sends any frame, records every text message and
 * the close code the gateway ends with.
 */
final class TestSocket implements AutoCloseable {

    record Closed(int code, String reason) {
    }

    private final BlockingQueue<JsonNode> messages = new LinkedBlockingQueue<>();
    private final CompletableFuture<Closed> closed = new CompletableFuture<>();
    private final WebSocket ws;

    private TestSocket(URI uri, String bearer) {
        var builder = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
        if (bearer != null) {
            builder.header("Authorization", "Bearer " + bearer);
        }
        ws = builder.buildAsync(uri, new Listener()).join();
    }

    static TestSocket open(URI uri, String bearer) {
        return new TestSocket(uri, bearer);
    }

    /** Sends a text frame; a send cut short by the gateway closing is not an error here (the close is). */
    void sendText(String text) {
        ws.sendText(text, true).exceptionally(e -> null).join();
    }

    void sendJson(Object message) {
        sendText(Json.write(message));
    }

    void sendBinary(ByteBuffer frame) {
        ws.sendBinary(frame, true).exceptionally(e -> null).join();
    }

    void sendChunk(long seq, byte[] payload) {
        sendBinary(ChunkFrame.encode(seq, payload));
    }

    /** The next message from the gateway, failing the test after 20 s. */
    JsonNode next() {
        try {
            JsonNode m = messages.poll(20, TimeUnit.SECONDS);
            if (m == null) {
                throw new AssertionError("no message from the gateway within 20 s (closed: " + closed.getNow(null) + ")");
            }
            return m;
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** The next message, which must be of {@code type}. */
    JsonNode next(String type) {
        JsonNode m = next();
        if (!type.equals(m.path("type").asText())) {
            throw new AssertionError("expected a '" + type + "' message, got " + m);
        }
        return m;
    }

    /** The next message, or null if none arrives within {@code millis}. */
    JsonNode poll(long millis) {
        try {
            return messages.poll(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    Closed awaitClose() {
        try {
            return closed.get(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("the gateway did not close the connection within 20 s", e);
        }
    }

    boolean isClosed() {
        return closed.isDone();
    }

    /** Drops the TCP connection without a close handshake, like a crashed client. */
    void abort() {
        ws.abort();
    }

    @Override
    public void close() {
        if (!ws.isOutputClosed()) {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").exceptionally(e -> null);
        }
        ws.abort();
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder text = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                messages.add(Json.MAPPER.valueToTree(parse(text.toString())));
                text.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        private JsonNode parse(String s) {
            try {
                return Json.MAPPER.readTree(s);
            } catch (Exception e) {
                throw new IllegalStateException("gateway sent invalid JSON: " + s, e);
            }
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(new Closed(statusCode, reason));
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.complete(new Closed(1006, String.valueOf(error)));
        }
    }
}
