package dev.recingest.app;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Hostile clients for the flood test (test code): each upgrades a WebSocket without any token, sends no
 * {@code start}, announces one big frame in its header and then trickles the frame's payload a few bytes
 * at a time, never finishing it. The frame header and payload are written raw (Netty's encoder lets a
 * ByteBuf through as it is), so a frame can be left unfinished. Notes, for each client, when the gateway
 * closed it, with which close code and after which error message.
 */
final class FloodClients implements AutoCloseable {

    /** What the clients announce. */
    record Frame(int opcode, long length) {
        static Frame binary(long length) {
            return new Frame(0x2, length);
        }

        static Frame text(long length) {
            return new Frame(0x1, length);
        }
    }

    /** One client's fate. {@code closedNanos} is -1 while it is open. */
    static final class Client {
        volatile long upgradedNanos = -1;
        volatile long closedNanos = -1;
        volatile int closeCode = -1;
        volatile String errorCode;
        volatile boolean refusedUpgrade;
    }

    private final NioEventLoopGroup group = new NioEventLoopGroup(1);
    private final List<Client> clients = new ArrayList<>();
    final AtomicLong trickledBytes = new AtomicLong();

    /**
     * Opens {@code count} clients against {@code ingest}, each announcing {@code frame} and then sending
     * {@code trickle} bytes of it every {@code everyMillis}.
     */
    FloodClients(URI ingest, int count, Frame frame, int trickle, long everyMillis) {
        Bootstrap b = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 30_000);
        for (int i = 0; i < count; i++) {
            Client c = new Client();
            clients.add(c);
            b.clone().handler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(8192),
                            new WebSocketClientProtocolHandler(WebSocketClientProtocolConfig.newBuilder()
                                    .webSocketUri(ingest).handleCloseFrames(false).dropPongFrames(true)
                                    .handshakeTimeoutMillis(60_000).build()),
                            new Trickler(c, frame, trickle, everyMillis));
                }
            }).connect(ingest.getHost(), ingest.getPort()).addListener(f -> {
                if (!f.isSuccess()) {
                    c.refusedUpgrade = true;
                    c.closedNanos = System.nanoTime();
                }
            });
        }
    }

    private final class Trickler extends SimpleChannelInboundHandler<WebSocketFrame> {
        private final Client client;
        private final Frame frame;
        private final int trickle;
        private final long everyMillis;
        private long sent;
        private ScheduledFuture<?> task;

        Trickler(Client client, Frame frame, int trickle, long everyMillis) {
            this.client = client;
            this.frame = frame;
            this.trickle = trickle;
            this.everyMillis = everyMillis;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
                client.upgradedNanos = System.nanoTime();
                ctx.writeAndFlush(header(ctx));
                task = ctx.executor().scheduleAtFixedRate(() -> send(ctx.channel()), everyMillis, everyMillis,
                        TimeUnit.MILLISECONDS);
            } else if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
                client.refusedUpgrade = true;
            }
        }

        /** FIN, the opcode, a masked length in its shortest form, and a mask key. */
        private ByteBuf header(ChannelHandlerContext ctx) {
            ByteBuf h = ctx.alloc().buffer(14);
            h.writeByte(0x80 | frame.opcode());
            if (frame.length() < 126) {
                h.writeByte(0x80 | (int) frame.length());
            } else if (frame.length() < 65536) {
                h.writeByte(0x80 | 126).writeShort((int) frame.length());
            } else {
                h.writeByte(0x80 | 127).writeLong(frame.length());
            }
            return h.writeInt(ThreadLocalRandom.current().nextInt());
        }

        private void send(Channel ch) {
            if (!ch.isActive() || sent >= frame.length() - trickle) {
                return; // never finish the frame
            }
            byte[] bytes = new byte[trickle];
            ThreadLocalRandom.current().nextBytes(bytes);
            ch.writeAndFlush(ch.alloc().buffer(trickle).writeBytes(bytes));
            sent += trickle;
            trickledBytes.addAndGet(trickle);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame msg) {
            if (msg instanceof TextWebSocketFrame t) {
                String text = t.text();
                int at = text.indexOf("\"code\":\"");
                client.errorCode = at < 0 ? text : text.substring(at + 8, text.indexOf('"', at + 8));
            } else if (msg instanceof CloseWebSocketFrame c) {
                client.closeCode = c.statusCode();
                ended();
                ctx.close();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            ended();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // a reset: the close code stays -1
        }

        private void ended() {
            if (task != null) {
                task.cancel(false);
            }
            if (client.closedNanos < 0) {
                client.closedNanos = System.nanoTime();
            }
        }
    }

    List<Client> clients() {
        return clients;
    }

    long open() {
        return clients.stream().filter(c -> c.closedNanos < 0).count();
    }

    long upgraded() {
        return clients.stream().filter(c -> c.upgradedNanos >= 0).count();
    }

    /** Waits until every client is closed, up to {@code millis}; true if they all are. */
    boolean awaitAllClosed(long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (open() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        return open() == 0;
    }

    /** Close code → how many clients the gateway closed with it (-1: no close frame, closed by a reset or not yet). */
    Map<Integer, Long> closeCodes() {
        Map<Integer, Long> m = new TreeMap<>();
        clients.forEach(c -> m.merge(c.closeCode, 1L, Long::sum));
        return m;
    }

    Map<String, Long> errorCodes() {
        Map<String, Long> m = new TreeMap<>();
        clients.forEach(c -> m.merge(String.valueOf(c.errorCode), 1L, Long::sum));
        return m;
    }

    /** Milliseconds from each upgrade to its close, sorted (clients that were never upgraded or closed left out). */
    long[] millisToClose() {
        return clients.stream().filter(c -> c.upgradedNanos >= 0 && c.closedNanos >= 0)
                .mapToLong(c -> (c.closedNanos - c.upgradedNanos) / 1_000_000).sorted().toArray();
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
