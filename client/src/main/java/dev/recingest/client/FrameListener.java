package dev.recingest.client;

import java.io.ByteArrayOutputStream;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Turns the JDK's WebSocket callbacks into whole messages and one close report. The JDK may split a
 * message into parts ({@code last == false}) and reuses its buffers after the callback returns, so
 * parts are copied and joined here. One message is requested at a time; pings are answered by the JDK.
 */
abstract class FrameListener implements WebSocket.Listener {

    private final StringBuilder text = new StringBuilder();
    private final ByteArrayOutputStream binary = new ByteArrayOutputStream();
    private final AtomicBoolean closeReported = new AtomicBoolean();

    /** A complete text message. */
    abstract void onWholeText(String message);

    /** A complete binary message. */
    abstract void onWholeBinary(byte[] message);

    /** Called exactly once: for the gateway's close frame, a transport error, or {@link #reportClose}. */
    abstract void onClosed(CloseStatus status);

    final void reportClose(CloseStatus status) {
        if (closeReported.compareAndSet(false, true)) {
            onClosed(status);
        }
    }

    final boolean closeReported() {
        return closeReported.get();
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        text.append(data);
        if (last) {
            String whole = text.toString();
            text.setLength(0);
            onWholeText(whole);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
        byte[] part = new byte[data.remaining()];
        data.get(part);
        binary.writeBytes(part);
        if (last) {
            byte[] whole = binary.toByteArray();
            binary.reset();
            onWholeBinary(whole);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        // Returning null lets the JDK answer the close with the same code, completing the handshake.
        reportClose(new CloseStatus(statusCode, reason));
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        reportClose(CloseStatus.abnormal(String.valueOf(error)));
    }
}
