package dev.recingest.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recingest.protocol.ChunkFrame;
import dev.recingest.protocol.Json;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler.ClientHandshakeStateEvent;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A recorder of the throughput and latency runs on a raw Netty WebSocket, written so that the generator
 * costs the measured cores as little as the direct-S3 baseline's does. The JDK client it replaces copied
 * every frame into a fresh heap buffer (about 1.4 GB per 8 s window in the 64 x 256 KiB cell, the largest
 * allocation site of the whole process), and Netty's client encoder would mask every frame again.
 * Instead each lane masks its payload once, with a random key of its own, and sends every chunk as a
 * small per-send head (frame header, key, the masked kind and seq) plus the same pre-masked body, written
 * as bytes past the WebSocket encoder. The gateway still unmasks every byte of every frame as it does for
 * a browser's (Netty's decoder has no shortcut for any key); RFC 6455 wants a fresh key per frame only to
 * protect intermediaries from a hostile page, which a benchmark on loopback is not. Sends stop while the
 * channel is not writable, so a lane queues at most its socket buffer, not its whole window.
 *
 * <p>Same discipline as the direct-S3 baseline ({@link S3Lane}): explicit seqs, at most {@code windowBytes}
 * unacked, a retryable nack resent with the same seq. All state is touched on the channel's event loop.
 */
final class NettyLane extends SimpleChannelInboundHandler<WebSocketFrame> implements Lane {

    private static final AtomicInteger REPORTED = new AtomicInteger();
    private final String recordingId;
    private final String token;
    private final int chunkBytes;
    private final long windowBytes;
    private final Stats stats;
    private final byte[] maskKey = new byte[4];
    /** The payload after the chunk header, masked as it sits in every frame (at payload offset 9 on). */
    private final ByteBuf maskedBody;
    private final long[] sentAt;
    private final int mask;
    private final ArrayDeque<Long> resends = new ArrayDeque<>();
    final CompletableFuture<NettyLane> started = new CompletableFuture<>();
    private Channel channel;
    private long nextSeq;
    private long inflight;
    private boolean saturating;
    private int credits;
    private boolean running = true;

    private NettyLane(String recordingId, String token, int chunkBytes, long windowBytes, Stats stats) {
        this.recordingId = recordingId;
        this.token = token;
        this.chunkBytes = chunkBytes;
        this.windowBytes = windowBytes;
        this.stats = stats;
        Random random = new Random(recordingId.hashCode());
        byte[] body = new byte[chunkBytes];
        random.nextBytes(body);
        do {
            random.nextBytes(maskKey);
        } while (maskKey[0] == 0 && maskKey[1] == 0 && maskKey[2] == 0 && maskKey[3] == 0);
        for (int i = 0; i < body.length; i++) {
            body[i] ^= maskKey[(ChunkFrame.HEADER_BYTES + i) & 3];
        }
        this.maskedBody = Unpooled.directBuffer(chunkBytes).writeBytes(body);
        int ring = Integer.highestOneBit((int) Math.max(16, 2 * windowBytes / chunkBytes)) * 2;
        this.sentAt = new long[ring];
        this.mask = ring - 1;
    }

    /** Connects with {@code connector}, sends {@code start}, completes once the gateway answered {@code started}. */
    static CompletableFuture<NettyLane> open(WsConnector connector, URI uri, String token, String recordingId,
                                             int chunkBytes, long windowBytes, Stats stats) {
        NettyLane lane = new NettyLane(recordingId, token, chunkBytes, windowBytes, stats);
        connector.connect(uri, 30_000, lane, lane.started::completeExceptionally);
        return lane.started;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt == ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
            ctx.writeAndFlush(WsConnector.start(recordingId, token));
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void saturate() {
        channel.eventLoop().execute(() -> {
            saturating = true;
            pump();
        });
    }

    @Override
    public void tick() {
        channel.eventLoop().execute(() -> {
            if (inflight + chunkBytes > windowBytes) {
                stats.failures.increment(); // the paced load cannot be offered: count it, do not queue it
                return;
            }
            credits++;
            pump();
        });
    }

    private void pump() {
        boolean wrote = false;
        while (running && channel.isWritable() && (!resends.isEmpty()
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
            channel.write(Unpooled.wrappedBuffer(head(seq), maskedBody.retainedDuplicate())).addListener(f -> {
                if (!f.isSuccess()) {
                    stats.failures.increment();
                    running = false;
                }
            });
            wrote = true;
        }
        if (wrote) {
            channel.flush();
        }
    }

    /** A binary frame's header with the mask bit and this lane's key, then the chunk's kind and seq, masked. */
    private ByteBuf head(long seq) {
        long length = ChunkFrame.HEADER_BYTES + (long) chunkBytes;
        ByteBuf h = channel.alloc().buffer(14 + ChunkFrame.HEADER_BYTES);
        h.writeByte(0x82); // FIN, binary
        if (length <= 125) {
            h.writeByte(0x80 | (int) length);
        } else if (length <= 0xFFFF) {
            h.writeByte(0x80 | 126).writeShort((int) length);
        } else {
            h.writeByte(0x80 | 127).writeLong(length);
        }
        h.writeBytes(maskKey);
        h.writeByte(ChunkFrame.KIND_CHUNK ^ maskKey[0]);
        for (int i = 0; i < 8; i++) {
            h.writeByte((int) (seq >>> (56 - 8 * i)) ^ maskKey[(1 + i) & 3]);
        }
        return h;
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        pump();
        super.channelWritabilityChanged(ctx);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame msg) {
        if (msg instanceof CloseWebSocketFrame close) {
            report("closed by the gateway: " + close.statusCode() + " " + close.reasonText());
            running = false;
            ctx.close();
        } else if (msg instanceof TextWebSocketFrame text) {
            handle(text.text());
        }
    }

    private void handle(String message) {
        JsonNode m;
        try {
            m = Json.MAPPER.readTree(message);
        } catch (java.io.IOException e) {
            stats.failures.increment();
            return;
        }
        switch (m.path("type").asText()) {
            case "ack" -> {
                inflight -= chunkBytes;
                stats.acked(chunkBytes, sentAt[(int) (m.path("seq").asLong() & mask)]);
                pump();
            }
            case "started" -> started.complete(this);
            case "nack" -> {
                // As a real client does: resend the same seq (the protocol's answer to a retryable nack).
                stats.nacks.increment();
                resends.add(m.path("seq").asLong());
                pump();
            }
            default -> {
                stats.failures.increment();
                report("unexpected message: " + message);
                started.completeExceptionally(new IllegalStateException(recordingId + ": " + message));
            }
        }
    }

    private void report(String what) {
        if (running && REPORTED.incrementAndGet() <= 5) {
            System.err.println("bench: " + recordingId + " " + what);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        running = false;
        started.completeExceptionally(new IllegalStateException(recordingId + ": connection closed"));
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        started.completeExceptionally(cause);
        ctx.close();
    }

    @Override
    public void halt() {
        channel.eventLoop().execute(() -> running = false);
    }

    @Override
    public void close() {
        channel.eventLoop().execute(() -> {
            running = false;
            channel.close();
            maskedBody.release();
        });
    }
}
