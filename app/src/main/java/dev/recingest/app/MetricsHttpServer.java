package dev.recingest.app;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /metrics} and {@code GET /healthz} for processes without the gateway's HTTP port (the merger),
 * on RECINGEST_HOST:RECINGEST_METRICS_PORT; other methods get 405 with {@code Allow: GET}, other paths 404.
 * The JDK's built-in server is enough for a scrape every few seconds.
 */
final class MetricsHttpServer implements AutoCloseable {

    private static final String JSON = "application/json";

    private final HttpServer server;

    MetricsHttpServer(String host, int port, PrometheusMeterRegistry registry) {
        try {
            server = HttpServer.create(new InetSocketAddress(host, port), 16);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind metrics port " + port, e);
        }
        server.createContext("/", ex -> {
            String path = ex.getRequestURI().getPath();
            boolean known = path.equals("/metrics") || path.equals("/healthz");
            if (!known) {
                respond(ex, 404, "{\"status\":404,\"code\":\"NOT_FOUND\",\"message\":\"no such endpoint\"}", JSON);
            } else if (!ex.getRequestMethod().equals("GET")) {
                // As the gateway's port: a wrong method is 405 with what the path does accept.
                ex.getResponseHeaders().set("Allow", "GET");
                respond(ex, 405, "{\"status\":405,\"code\":\"METHOD_NOT_ALLOWED\",\"message\":\"use GET\"}", JSON);
            } else if (path.equals("/metrics")) {
                respond(ex, 200, registry.scrape(), "text/plain; version=0.0.4");
            } else {
                respond(ex, 200, "{\"status\":\"ok\"}", JSON);
            }
        });
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
