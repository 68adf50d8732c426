package dev.recingest.bench;

import dev.recingest.protocol.Json;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Raw Netty WebSocket connections to the gateway's ingest endpoint on one small event loop group (epoll
 * where available): what both generators open their recordings with, the throughput lanes
 * ({@link NettyLane}) and the connections benchmark's recorders ({@link ConnRecorder}). Thousands of JDK
 * WebSockets would each cost a thread pool's worth of objects; these cost a channel each.
 */
final class WsConnector implements AutoCloseable {

    final EventLoopGroup group;
    private final Bootstrap bootstrap;

    WsConnector(int threads) {
        boolean epoll = Epoll.isAvailable();
        group = epoll ? new EpollEventLoopGroup(threads) : new NioEventLoopGroup(threads);
        bootstrap = new Bootstrap().group(group)
                .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 30_000);
    }

    /**
     * Connects to {@code uri}; once the WebSocket handshake completes, {@code recorder} (last in the
     * pipeline) gets {@code HANDSHAKE_COMPLETE} and the frames. Close frames are left to the recorder, which
     * wants their codes. A failed connect goes to {@code connectFailed}.
     */
    void connect(URI uri, long handshakeTimeoutMillis, ChannelHandler recorder, Consumer<Throwable> connectFailed) {
        WebSocketClientProtocolConfig config = WebSocketClientProtocolConfig.newBuilder()
                .webSocketUri(uri)
                .customHeaders(new DefaultHttpHeaders())
                .maxFramePayloadLength(1 << 20)
                .handshakeTimeoutMillis(handshakeTimeoutMillis)
                .handleCloseFrames(false)
                .dropPongFrames(true)
                .build();
        bootstrap.clone().handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(64 << 10),
                        new WebSocketClientProtocolHandler(config), recorder);
            }
        }).connect(uri.getHost(), uri.getPort()).addListener(f -> {
            if (!f.isSuccess()) {
                connectFailed.accept(f.cause());
            }
        });
    }

    /** The {@code start} of a bench recording (stream mode, explicit seqs), with its token. */
    static TextWebSocketFrame start(String recordingId, String token) {
        return new TextWebSocketFrame(Json.write(Map.of("type", "start", "recordingId", recordingId,
                "contentType", "video/webm", "mode", "stream", "token", token)));
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(30, TimeUnit.SECONDS);
    }
}
