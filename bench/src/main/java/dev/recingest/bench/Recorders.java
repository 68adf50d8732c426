package dev.recingest.bench;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** The gateway-side load generator: {@link NettyLane}s sharing one event loop group of {@code threads}. */
final class Recorders implements AutoCloseable {

    private final WsConnector connector;

    Recorders(int threads) {
        connector = new WsConnector(threads);
    }

    /** Opens {@code count} recordings {@code prefix-0..} and waits (at most 60 s) until each was started. */
    List<Lane> open(URI uri, String token, String prefix, int count, int chunkBytes, long windowBytes, Stats stats) {
        List<CompletableFuture<NettyLane>> opening = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            opening.add(NettyLane.open(connector, uri, token, prefix + "-" + i, chunkBytes, windowBytes, stats));
        }
        List<Lane> lanes = new ArrayList<>();
        for (var f : opening) {
            lanes.add(f.orTimeout(60, TimeUnit.SECONDS).join());
        }
        return lanes;
    }

    @Override
    public void close() {
        connector.close();
    }
}
