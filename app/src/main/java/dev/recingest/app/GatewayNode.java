package dev.recingest.app;

import dev.recingest.config.Retention;
import dev.recingest.config.Settings;
import dev.recingest.gateway.GatewayConfig;
import dev.recingest.gateway.GatewayServer;
import dev.recingest.gateway.web.WebConfig;

/**
 * One production gateway: its Redis and S3 connections from {@code settings} and the server on top of
 * them. The {@code gateway} command runs one until SIGTERM; the benchmark suite runs one alone in a JVM to
 * measure its heap, with exactly this wiring.
 */
public final class GatewayNode implements AutoCloseable {

    private final Processes.Backends backends;
    private final GatewayServer server;

    private GatewayNode(Processes.Backends backends, GatewayServer server) {
        this.backends = backends;
        this.server = server;
    }

    public static GatewayNode start(Settings settings) {
        GatewayConfig config = GatewayConfig.from(settings);
        Processes.Backends b = Processes.Backends.connect(settings);
        return new GatewayNode(b, GatewayServer.start(config, b.store(), b.s3(), b.s3(), b.registry(), b.events(),
                Retention.from(settings), WebConfig.from(settings, false)));
    }

    public int port() {
        return server.port();
    }

    /** Graceful stop: drains the connections (their chunks in flight are acked), then closes the backends. */
    public void drain() {
        server.drain();
        backends.close();
    }

    /** Immediate stop. */
    @Override
    public void close() {
        server.close();
        backends.close();
    }
}
