package dev.recingest.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recingest.protocol.ChunkFrame;
import dev.recingest.protocol.Json;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler.ClientHandshakeStateEvent;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;

/**
 * One recording of the connections benchmark on a raw Netty WebSocket: sends {@code start} once the
 * upgrade completes, then, when ticked, one small chunk with the next explicit seq (after a nack or a
 * SEQ_GAP, the seq the gateway still needs, as a real recorder would resend it). Counts acks (with
 * sent-to-ack latency), nacks and errors into the shared {@link Stats}, and remembers the close code the
 * gateway sent (1006 when the connection ended without one). Touched only on its channel's event loop.
 */
final class ConnRecorder extends SimpleChannelInboundHandler<WebSocketFrame> {

    /** Close code of a connection that ended without a close frame (RFC 6455's "abnormal closure"). */
    static final int NO_CLOSE_FRAME = 1006;

    private final String recordingId;
    private final String token;
    private final ConnLoad load;
    final CompletableFuture<ConnRecorder> started = new CompletableFuture<>();
    /** Send times by seq; one chunk is in flight every few seconds, so a small ring is plenty. */
    private final long[] sentAt = new long[64];
    private Channel channel;
    private long nextSeq;
    private volatile int closeCode;

    ConnRecorder(String recordingId, String token, ConnLoad load) {
        this.recordingId = recordingId;
        this.token = token;
        this.load = load;
    }

    boolean isOpen() {
        return closeCode == 0 && channel != null && channel.isActive();
    }

    int closeCode() {
        return closeCode;
    }

    Channel channel() {
        return channel;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt == ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
            ctx.writeAndFlush(WsConnector.start(recordingId, token));
        } else if (evt == ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
            started.completeExceptionally(new IllegalStateException("handshake timeout"));
            ctx.close();
        }
        super.userEventTriggered(ctx, evt);
    }

    /** Sends one chunk of {@code payload}'s bytes with the next seq (on the event loop). */
    void tick(byte[] payload, Stats stats) {
        if (!isOpen() || !started.isDone()) {
            return;
        }
        long seq = nextSeq++;
        ByteBuf frame = channel.alloc().buffer(ChunkFrame.HEADER_BYTES + payload.length);
        frame.writeByte(ChunkFrame.KIND_CHUNK).writeLong(seq).writeBytes(payload);
        sentAt[slot(seq)] = System.nanoTime();
        load.offered.increment();
        channel.writeAndFlush(new BinaryWebSocketFrame(frame)).addListener(f -> {
            if (!f.isSuccess()) {
                stats.failures.increment();
            }
        });
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
        if (frame instanceof CloseWebSocketFrame close) {
            closeCode = close.statusCode() < 0 ? NO_CLOSE_FRAME : close.statusCode();
            started.completeExceptionally(new IllegalStateException("closed " + closeCode + " " + close.reasonText()));
            ctx.close();
        } else if (frame instanceof TextWebSocketFrame text) {
            JsonNode m = read(text.text());
            String type = m.path("type").asText();
            Stats stats = load.stats;
            switch (type) {
                case "started" -> started.complete(this);
                case "ack" -> stats.acked(m.path("size").asInt(), sentAt[slot(m.path("seq").asLong())]);
                case "nack" -> {
                    // A real recorder resends a nacked chunk (same seq): the next tick does, at the same rate.
                    stats.nacks.increment();
                    nextSeq = Math.min(nextSeq, m.path("seq").asLong());
                }
                default -> {
                    if (m.has("expected")) {
                        nextSeq = m.path("expected").asLong(); // SEQ_GAP after a nack: resend from there
                    }
                    load.errors.computeIfAbsent(m.path("code").asText(type), k -> new LongAdder()).increment();
                }
            }
        }
    }

    private int slot(long seq) {
        return (int) (seq % sentAt.length);
    }

    private static JsonNode read(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("gateway sent bad JSON: " + text, e);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (closeCode == 0) {
            closeCode = NO_CLOSE_FRAME;
        }
        started.completeExceptionally(new IllegalStateException("connection closed (" + closeCode + ")"));
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        started.completeExceptionally(cause);
        ctx.close();
    }
}
