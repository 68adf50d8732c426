package dev.recingest.app;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /metrics} and {@code GET /healthz} for processes without the gateway's HTTP port (the merger).
 * The JDK's built-in server is enough for a scrape every few seconds.
 */
final class MetricsHttpServer implements AutoCloseable {

    private final HttpServer server;

    MetricsHttpServer(String host, int port, PrometheusMeterRegistry registry) {
        try {
            server = HttpServer.create(new InetSocketAddress(host, port), 16);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind metrics port " + port, e);
        }
        server.createContext("/metrics", ex -> respond(ex, 200, registry.scrape(), "text/plain; version=0.0.4"));
        server.createContext("/healthz", ex -> respond(ex, 200, "{\"status\":\"ok\"}", "application/json"));
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    private static void respond(com.sun.net.httpserver.HttpExchange ex, int status, String body, String type)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
