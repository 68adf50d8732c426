package dev.recingest.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** The gateway-side load generator: {@link NettyLane}s sharing one event loop group of {@code threads}. */
final class Recorders implements AutoCloseable {

    private final EventLoopGroup group;
    private final Bootstrap bootstrap;

    Recorders(int threads) {
        boolean epoll = Epoll.isAvailable();
        group = epoll ? new EpollEventLoopGroup(threads) : new NioEventLoopGroup(threads);
        bootstrap = new Bootstrap().group(group)
                .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 30_000);
    }

    /** Opens {@code count} recordings {@code prefix-0..} and waits (at most 60 s) until each was started. */
    List<Lane> open(URI uri, String token, String prefix, int count, int chunkBytes, long windowBytes, Stats stats) {
        List<CompletableFuture<NettyLane>> opening = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            opening.add(NettyLane.open(bootstrap, uri, token, prefix + "-" + i, chunkBytes, windowBytes, stats));
        }
        List<Lane> lanes = new ArrayList<>();
        for (var f : opening) {
            lanes.add(f.orTimeout(60, TimeUnit.SECONDS).join());
        }
        return lanes;
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
