package dev.recingest.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recingest.protocol.ChunkFrame;
import dev.recingest.protocol.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A lean recorder on the JDK WebSocket client: one reused frame buffer (the JDK copies it while masking,
 * and a new send starts only once the previous one completed), explicit seqs, and a ring of send times
 * indexed by seq for the ack latency.
 */
final class WsLane implements Lane, WebSocket.Listener {

    private static final java.util.concurrent.atomic.AtomicInteger REPORTED = new java.util.concurrent.atomic.AtomicInteger();
    private final Stats stats;
    private final int chunkBytes;
    private final long windowBytes;
    private final ByteBuffer frame;
    private final long[] sentAt;
    private final int mask;
    private final CompletableFuture<WsLane> started = new CompletableFuture<>();
    private final StringBuilder text = new StringBuilder();
    private final String recordingId;
    private WebSocket ws;
    private final java.util.ArrayDeque<Long> resends = new java.util.ArrayDeque<>();
    private long nextSeq;
    private long inflight;
    private boolean sending;
    private boolean saturating;
    private int credits;
    private volatile boolean running = true;

    private WsLane(String recordingId, int chunkBytes, long windowBytes, Stats stats) {
        this.recordingId = recordingId;
        this.chunkBytes = chunkBytes;
        this.windowBytes = windowBytes;
        this.stats = stats;
        byte[] payload = new byte[chunkBytes];
        new java.util.Random(recordingId.hashCode()).nextBytes(payload);
        this.frame = ChunkFrame.encode(0, payload);
        int ring = Integer.highestOneBit((int) Math.max(16, 2 * windowBytes / chunkBytes)) * 2;
        this.sentAt = new long[ring];
        this.mask = ring - 1;
    }

    /** Connects, sends {@code start} and completes once the gateway answered {@code started}. */
    static CompletableFuture<WsLane> open(HttpClient http, URI uri, String token, String recordingId, int chunkBytes,
                                          long windowBytes, Stats stats) {
        WsLane lane = new WsLane(recordingId, chunkBytes, windowBytes, stats);
        return http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token)
                .buildAsync(uri, lane)
                .thenCompose(ws -> {
                    lane.ws = ws;
                    return ws.sendText(Json.write(java.util.Map.of("type", "start", "recordingId", recordingId,
                            "contentType", "video/webm", "mode", "stream")), true);
                })
                .thenCompose(ws -> lane.started);
    }

    @Override
    public synchronized void saturate() {
        saturating = true;
        pump();
    }

    @Override
    public void tick() {
        synchronized (this) {
            if (inflight + chunkBytes > windowBytes) {
                stats.failures.increment();
                return;
            }
            credits++;
            pump();
        }
    }

    private synchronized void pump() {
        while (running && !sending && (!resends.isEmpty()
                || (inflight + chunkBytes <= windowBytes && (saturating || credits > 0)))) {
            long seq;
            if (!resends.isEmpty()) {
                seq = resends.poll(); // still counted in flight; its latency runs from the first send
            } else {
                if (!saturating) {
                    credits--;
                }
                seq = nextSeq++;
                inflight += chunkBytes;
                sentAt[(int) (seq & mask)] = System.nanoTime();
            }
            frame.putLong(1, seq);
            sending = true;
            CompletableFuture<WebSocket> sent = ws.sendBinary(frame.duplicate(), true);
            if (sent.isDone() && !sent.isCompletedExceptionally()) {
                sending = false;
                continue;
            }
            sent.whenComplete((w, e) -> {
                if (e != null) {
                    stats.failures.increment();
                    running = false;
                }
                synchronized (this) {
                    sending = false;
                    pump();
                }
            });
        }
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        text.append(data);
        if (last) {
            handle(text.toString());
            text.setLength(0);
        }
        webSocket.request(1);
        return null;
    }

    private void handle(String message) {
        JsonNode m;
        try {
            m = Json.MAPPER.readTree(message);
        } catch (Exception e) {
            stats.failures.increment();
            return;
        }
        switch (m.path("type").asText()) {
            case "ack" -> {
                long seq = m.path("seq").asLong();
                synchronized (this) {
                    inflight -= chunkBytes;
                    stats.acked(chunkBytes, sentAt[(int) (seq & mask)]);
                    pump();
                }
            }
            case "started" -> started.complete(this);
            case "nack" -> {
                // As a real client does: resend the same seq (the protocol's answer to a retryable nack).
                stats.nacks.increment();
                synchronized (this) {
                    resends.add(m.path("seq").asLong());
                    pump();
                }
            }
            default -> {
                stats.failures.increment();
                if (REPORTED.incrementAndGet() <= 5) {
                    System.err.println("bench: unexpected message on " + recordingId + ": " + message);
                }
                started.completeExceptionally(new IllegalStateException(recordingId + ": " + message));
            }
        }
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        if (running && REPORTED.incrementAndGet() <= 5) {
            System.err.println("bench: " + recordingId + " closed by the gateway: " + statusCode + " " + reason);
        }
        running = false;
        started.completeExceptionally(new IllegalStateException(recordingId + " closed " + statusCode + " " + reason));
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        running = false;
        started.completeExceptionally(error);
    }

    @Override
    public void halt() {
        running = false;
    }

    @Override
    public void close() {
        running = false;
        if (ws != null) {
            ws.abort();
        }
    }
}
