package dev.recingest.client;

import dev.recingest.protocol.ChunkFrame;
import dev.recingest.protocol.Json;
import dev.recingest.protocol.Message;
import java.net.URI;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A WebSocket with no protocol logic, for tests that must send what a correct client never would
 * (a chunk before {@code start}, an unknown frame kind, invalid JSON, an oversize frame) and check the
 * exact answer and close code. Every frame received is queued in {@link #received()}; the close
 * arrives in {@link #closed()}. Sends are serialized, as the JDK requires, in call order.
 */
public final class RawWebSocket implements AutoCloseable {

    /** A received frame. */
    public sealed interface Frame permits Text, Binary {
    }

    public record Text(String text) implements Frame {
    }

    public record Binary(byte[] bytes) implements Frame {
    }

    private final BlockingQueue<Frame> received = new LinkedBlockingQueue<>();
    private final CompletableFuture<CloseStatus> closed = new CompletableFuture<>();
    private WebSocket ws;
    private CompletableFuture<?> tail = CompletableFuture.completedFuture(null);

    private RawWebSocket() {
    }

    /**
     * Opens the connection with the given upgrade headers. Throws a {@link ClientException} with code
     * {@code CONNECT_FAILED} (and the HTTP status, when the upgrade was answered) if it cannot.
     */
    public static RawWebSocket connect(URI uri, Map<String, String> headers, Duration timeout) {
        RawWebSocket raw = new RawWebSocket();
        WebSocket.Builder builder = Connection.SharedHttpClient.get().newWebSocketBuilder().connectTimeout(timeout);
        headers.forEach(builder::header);
        FrameListener listener = new FrameListener() {
            @Override
            void onWholeText(String message) {
                raw.received.add(new Text(message));
            }

            @Override
            void onWholeBinary(byte[] message) {
                raw.received.add(new Binary(message));
            }

            @Override
            void onClosed(CloseStatus status) {
                raw.closed.complete(status);
            }
        };
        try {
            raw.ws = builder.buildAsync(uri, listener).get(timeout.toMillis() * 2, TimeUnit.MILLISECONDS);
            return raw;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ClientException.of(ClientException.INTERRUPTED, "interrupted while connecting");
        } catch (ExecutionException | TimeoutException e) {
            throw ClientException.connectFailed(uri.toString(), e.getCause() != null ? e.getCause() : e);
        }
    }

    /** Opens the connection with {@code Authorization: Bearer token} (none when token is null). */
    public static RawWebSocket connect(URI uri, String token) {
        return connect(uri, token == null ? Map.of() : Map.of("Authorization", "Bearer " + token),
                Duration.ofSeconds(10));
    }

    public synchronized CompletableFuture<Void> sendText(String text) {
        return chain(() -> ws.sendText(text, true));
    }

    public CompletableFuture<Void> sendMessage(Message message) {
        return sendText(Json.write(message));
    }

    /** Sends the bytes as one binary frame, exactly as given. */
    public synchronized CompletableFuture<Void> sendBinary(ByteBuffer frame) {
        ByteBuffer copy = ByteBuffer.allocate(frame.remaining()).put(frame.duplicate()).flip();
        return chain(() -> ws.sendBinary(copy, true));
    }

    /** Sends a well-formed chunk frame. */
    public CompletableFuture<Void> sendChunk(long seq, byte[] payload) {
        return sendBinary(ChunkFrame.encode(seq, payload));
    }

    public synchronized CompletableFuture<Void> sendClose(int code, String reason) {
        return chain(() -> ws.sendClose(code, reason));
    }

    /** Every frame received, in order. */
    public BlockingQueue<Frame> received() {
        return received;
    }

    /** The next received frame, or null after {@code timeout}. */
    public Frame poll(Duration timeout) throws InterruptedException {
        return received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The next received frame parsed as a control message; fails if none arrives in time or it is binary. */
    public Message nextMessage(Duration timeout) throws InterruptedException {
        Frame f = poll(timeout);
        if (f == null) {
            throw new IllegalStateException("no message within " + timeout
                    + (closed.isDone() ? "; closed " + closed.join() : ""));
        }
        if (f instanceof Text t) {
            return Json.readMessage(t.text());
        }
        throw new IllegalStateException("expected a text frame, got " + ((Binary) f).bytes().length + " binary bytes");
    }

    /** Waits for the next message and checks its type. */
    public <M extends Message> M expect(Class<M> type, Duration timeout) throws InterruptedException {
        Message m = nextMessage(timeout);
        if (!type.isInstance(m)) {
            throw new IllegalStateException("expected " + type.getSimpleName() + ", got " + m);
        }
        return type.cast(m);
    }

    /** Completes with the gateway's close frame, or 1006 when the connection broke without one. */
    public CompletableFuture<CloseStatus> closed() {
        return closed;
    }

    /** Waits for the close; fails if it does not come in time. */
    public CloseStatus awaitClose(Duration timeout) throws InterruptedException {
        try {
            return closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("not closed within " + timeout);
        }
    }

    /** Drops the TCP connection without a close handshake. */
    public void abort() {
        ws.abort();
    }

    /** Closes with 1000 if still open, waiting briefly for the gateway's answer, then drops the connection. */
    @Override
    public void close() {
        if (!closed.isDone() && !ws.isOutputClosed()) {
            sendClose(1000, "").exceptionally(t -> null);
            try {
                closed.get(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                // dropped below
            }
        }
        ws.abort();
    }

    private CompletableFuture<Void> chain(java.util.function.Supplier<CompletableFuture<WebSocket>> send) {
        CompletableFuture<Void> next = tail.handle((v, t) -> null)
                .thenCompose(v -> send.get())
                .thenApply(w -> null);
        tail = next;
        return next;
    }
}
