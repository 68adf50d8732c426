package dev.recingest.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import redis.embedded.RedisServer;

/**
 * A Redis 6.2 server process (the binary shipped in the embedded-redis artifact) on 127.0.0.1, with
 * its data and append-only file in {@code dataDir} so that a restart keeps what was fsynced.
 */
public final class EmbeddedRedis implements AutoCloseable {

    private final int port;
    private final Path dataDir;
    private final boolean appendOnly;
    private RedisServer server;

    public EmbeddedRedis(int port, Path dataDir, boolean appendOnly) {
        this.port = port;
        this.dataDir = dataDir;
        this.appendOnly = appendOnly;
    }

    /** Starts a Redis on a free port with AOF (fsync every second) in {@code dataDir}. */
    public static EmbeddedRedis start(Path dataDir) {
        EmbeddedRedis r = new EmbeddedRedis(FreePort.pick(), dataDir, true);
        r.start();
        return r;
    }

    public synchronized void start() {
        try {
            Files.createDirectories(dataDir);
            server = RedisServer.newRedisServer()
                    .port(port)
                    .bind("127.0.0.1")
                    .setting("dir " + dataDir.toAbsolutePath())
                    .setting("appendonly " + (appendOnly ? "yes" : "no"))
                    .setting("appendfsync everysec")
                    .setting("save \"\"")
                    .setting("protected-mode yes")
                    .onShutdownForceStop(true)
                    .build();
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException("embedded Redis did not start on port " + port, e);
        }
    }

    /**
     * Kills the server like a crash (SIGKILL: with AOF fsynced every second, up to about a second of the
     * latest writes may be lost) and waits until its port is free, so that {@link #start()} can follow.
     */
    public synchronized void stop() {
        if (server != null) {
            try {
                server.stop();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            server = null;
            awaitPortFree();
        }
    }

    private void awaitPortFree() {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            } catch (IOException refused) {
                return;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        throw new IllegalStateException("embedded Redis still answers on port " + port + " after being killed");
    }

    public int port() {
        return port;
    }

    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    @Override
    public void close() {
        stop();
    }
}
