package dev.recingest.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One process of the system's {@code redis-server} (Debian's Redis 7.0; the embedded-redis artifact's 6.2
 * binary has no TLS and no Sentinel) on 127.0.0.1, for the tests of Redis Cluster, Sentinel, authentication
 * and TLS. Its configuration file and data live in its own folder, its output goes to {@code redis.log}
 * there. {@link #kill} is SIGKILL, as a crash; a JVM shutdown hook kills whatever a test left running.
 */
public final class RedisServerProcess implements RedisUnderTest {

    /** What {@link #unavailable} says when the binary is missing, and what CI installs. */
    public static final String INSTALL = "apt-get install redis-server redis-sentinel (Redis ≥ 7)";

    private static final Set<RedisServerProcess> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(RedisServerProcess::kill),
                "redis-server-reaper"));
    }

    private final Path binary;
    private final Path dir;
    private final int port;
    private final boolean sentinel;
    private final List<String> config;
    private volatile Process process;

    /**
     * @param config   lines of redis.conf (or sentinel.conf) besides port, bind, dir and logging
     * @param sentinel run as a Sentinel ({@code --sentinel})
     */
    public RedisServerProcess(Path dir, int port, List<String> config, boolean sentinel) {
        this.binary = binary().orElseThrow(() -> new IllegalStateException("redis-server is not installed: " + INSTALL));
        this.dir = dir;
        this.port = port;
        this.sentinel = sentinel;
        this.config = List.copyOf(config);
    }

    /** The system's redis-server, if it is installed and at least Redis 7. */
    public static Optional<Path> binary() {
        return Stream.concat(Stream.of(System.getenv().getOrDefault("PATH", "").split(":")),
                        Stream.of("/usr/local/bin", "/usr/bin", "/usr/sbin"))
                .filter(d -> !d.isEmpty()).map(d -> Path.of(d, "redis-server")).filter(Files::isExecutable)
                .filter(RedisServerProcess::atLeast7).findFirst();
    }

    /** Why the topology tests cannot run here, or empty when they can. */
    public static Optional<String> unavailable() {
        return binary().isPresent() ? Optional.empty()
                : Optional.of("no redis-server ≥ 7 on this machine, so this test is skipped (" + INSTALL + ")");
    }

    private static boolean atLeast7(Path redisServer) {
        try {
            Process p = new ProcessBuilder(redisServer.toString(), "--version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(10, TimeUnit.SECONDS);
            int at = out.indexOf("v=");
            return at >= 0 && Integer.parseInt(out.substring(at + 2, out.indexOf('.', at))) >= 7;
        } catch (IOException | RuntimeException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Writes the configuration (first start only: Redis rewrites it) and starts; returns once the port accepts. */
    public synchronized RedisServerProcess start() {
        if (process != null && process.isAlive()) {
            return this;
        }
        try {
            Files.createDirectories(dir);
            Path conf = dir.resolve(sentinel ? "sentinel.conf" : "redis.conf");
            if (!Files.exists(conf)) {
                List<String> lines = new ArrayList<>(List.of("port " + port, "bind 127.0.0.1", "dir " + dir.toAbsolutePath(),
                        "daemonize no", "logfile \"\"", "save \"\""));
                lines.addAll(config);
                Files.write(conf, lines);
            }
            List<String> command = new ArrayList<>(List.of(binary.toString(), conf.toAbsolutePath().toString()));
            if (sentinel) {
                command.add("--sentinel");
            }
            process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis.log").toFile())).start();
            RUNNING.add(this);
        } catch (IOException e) {
            throw new UncheckedIOException("redis-server did not start in " + dir, e);
        }
        awaitPort(true);
        return this;
    }

    /** SIGKILL, as a crash: nothing is flushed, no replica is told; waits until the port is free. */
    public synchronized void kill() {
        Process p = process;
        if (p == null) {
            return;
        }
        p.destroyForcibly();
        try {
            p.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
        RUNNING.remove(this);
        awaitPort(false);
    }

    public boolean isAlive() {
        Process p = process;
        return p != null && p.isAlive();
    }

    public int port() {
        return port;
    }

    public Path dir() {
        return dir;
    }

    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    /** A single server without a password or TLS, as {@code RECINGEST_REDIS_URI}. */
    @Override
    public java.util.Map<String, String> settings() {
        return java.util.Map.of(dev.recingest.config.RedisConfig.URI.env(), uri());
    }

    /** The last lines of this server's log, for a failure message. */
    public String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(dir.resolve("redis.log"));
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private void awaitPort(boolean open) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            boolean accepts;
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                accepts = true;
            } catch (IOException e) {
                accepts = false;
            }
            if (accepts == open) {
                return;
            }
            if (open && !isAlive()) {
                throw new IllegalStateException("redis-server on port " + port + " exited:\n" + logTail(20));
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        throw new IllegalStateException("redis-server on port " + port + (open ? " did not open" : " stayed open")
                + " within 20 s:\n" + logTail(20));
    }

    @Override
    public void close() {
        kill();
    }

    @Override
    public String toString() {
        return (sentinel ? "redis-sentinel" : "redis-server") + ":" + port;
    }
}
