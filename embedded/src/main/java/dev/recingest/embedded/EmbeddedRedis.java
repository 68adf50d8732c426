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
public final class EmbeddedRedis implements RedisUnderTest {

    /** The append-only file of the Redis 6.2 binary (one file; Redis 7 keeps a folder of them). */
    private static final String AOF = "appendonly.aof";

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

    /**
     * Copies the append-only file as it is now to {@code copy}: every write Redis has answered so far (it
     * writes the file before it replies), and nothing after. With {@link #restartFrom} this is how a test
     * makes Redis lose its latest writes honestly, as a crash under {@code appendfsync everysec} or a
     * failover to a lagging replica does: the server process itself reloads an older file.
     */
    public synchronized Path snapshot(Path copy) {
        try {
            Files.createDirectories(copy.getParent());
            return Files.copy(dataDir.resolve(AOF), copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Kills the server (SIGKILL), puts the append-only file {@code snapshot} (from {@link #snapshot}) in place
     * of its own and starts it again on the same port: Redis comes back without every write made after the
     * snapshot.
     */
    public synchronized void restartFrom(Path snapshot) {
        if (!appendOnly) {
            throw new IllegalStateException("restartFrom needs a Redis with an append-only file");
        }
        stop();
        try {
            Files.copy(snapshot, dataDir.resolve(AOF), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        start();
    }

    public int port() {
        return port;
    }

    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    @Override
    public java.util.Map<String, String> settings() {
        return java.util.Map.of(dev.recingest.config.RedisConfig.URI.env(), uri());
    }

    @Override
    public void close() {
        stop();
    }
}
