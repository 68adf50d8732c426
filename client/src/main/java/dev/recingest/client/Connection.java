package dev.recingest.client;

import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WebSocket connection of an {@link IngestClient}. The JDK allows one outstanding send per
 * WebSocket, so frames wait in an outbox and go out one after the other, in the order they were
 * queued: that order is the order the gateway sees, which the seq logic relies on. Everything here,
 * including the callbacks to the {@link Handler}, runs on the client's event thread.
 */
final class Connection {

    interface Handler {
        void onText(Connection connection, String text);

        void onClosed(Connection connection, CloseStatus status);
    }

    private static final Logger LOG = LoggerFactory.getLogger(Connection.class);
    /** After we start a close, or a send fails, how long the gateway gets to send its own close frame. */
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(3);

    private record Out(String text, ByteBuffer binary, CloseStatus close) {
    }

    private final ScheduledExecutorService loop;
    private final Handler handler;
    private final ArrayDeque<Out> outbox = new ArrayDeque<>();
    private final FrameListener listener;
    private WebSocket ws;
    private boolean sending;
    private boolean outputClosed;

    Connection(ScheduledExecutorService loop, Handler handler) {
        this.loop = loop;
        this.handler = handler;
        this.listener = new FrameListener() {
            @Override
            void onWholeText(String message) {
                execute(() -> handler.onText(Connection.this, message));
            }

            @Override
            void onWholeBinary(byte[] message) {
                LOG.atWarn().addKeyValue("bytes", message.length).log("binary frame from the gateway ignored");
            }

            @Override
            void onClosed(CloseStatus status) {
                execute(() -> {
                    outbox.clear();
                    handler.onClosed(Connection.this, status);
                });
            }
        };
    }

    /**
     * Connects and upgrades with {@code token} (null for none) as the bearer; the future completes (on any
     * thread) when the WebSocket is open.
     */
    CompletableFuture<Void> open(ClientOptions options, String token) {
        WebSocket.Builder builder = SharedHttpClient.get().newWebSocketBuilder()
                .connectTimeout(options.connectTimeout());
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        return builder.buildAsync(options.gatewayUri(), listener)
                .thenAccept(w -> execute(() -> {
                    ws = w;
                    pump();
                }));
    }

    void sendText(String text) {
        enqueue(new Out(text, null, null));
    }

    /** {@code frame} must not be touched by anyone until it is sent: pass a {@code duplicate()}. */
    void sendBinary(ByteBuffer frame) {
        enqueue(new Out(null, frame, null));
    }

    /** Starts the close handshake after the queued frames; aborts if the gateway does not answer. */
    void close(int code, String reason) {
        enqueue(new Out(null, null, new CloseStatus(code, reason)));
        EventLoop.schedule(loop, () -> abort("no close frame from the gateway"), CLOSE_GRACE);
    }

    /** Drops the TCP connection at once and reports the close (1006) unless one was reported already. */
    void abort(String why) {
        if (ws != null) {
            ws.abort();
        }
        listener.reportClose(CloseStatus.abnormal(why));
    }

    private void enqueue(Out out) {
        if (outputClosed || listener.closeReported()) {
            return;
        }
        outbox.add(out);
        pump();
    }

    private void pump() {
        if (sending || ws == null || outbox.isEmpty()) {
            return;
        }
        Out out = outbox.poll();
        sending = true;
        CompletableFuture<WebSocket> sent;
        if (out.text() != null) {
            sent = ws.sendText(out.text(), true);
        } else if (out.binary() != null) {
            sent = ws.sendBinary(out.binary(), true);
        } else {
            outputClosed = true;
            outbox.clear();
            sent = ws.sendClose(out.close().code(), out.close().reason());
        }
        sent.whenComplete((w, t) -> execute(() -> {
            sending = false;
            if (t == null) {
                pump();
            } else {
                // The gateway often closes with a code (1009, 4400) right as our send fails; give its
                // close frame a moment to arrive so the caller learns the real reason, not just 1006.
                LOG.atDebug().addKeyValue("error", t.toString()).log("send failed");
                outbox.clear();
                outputClosed = true;
                EventLoop.schedule(loop, () -> abort("send failed: " + t), CLOSE_GRACE);
            }
        }));
    }

    private void execute(Runnable task) {
        EventLoop.execute(loop, task);
    }

    /** One HttpClient for all connections: it is thread-safe, and each one costs a selector thread. */
    static final class SharedHttpClient {
        private static final HttpClient CLIENT = HttpClient.newBuilder().build();

        private SharedHttpClient() {
        }

        static HttpClient get() {
            return CLIENT;
        }
    }
}
