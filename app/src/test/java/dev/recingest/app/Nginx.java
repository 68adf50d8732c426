package dev.recingest.app;

import dev.recingest.embedded.FreePort;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The repository's own {@code nginx/nginx.conf}, run as a local process: copied into a prefix folder
 * with {@code listen 8080} moved to a free loopback port and an {@code upstreams.conf} next to it that
 * lists the given gateways, then {@code nginx -p <prefix>/ -c <prefix>/nginx.conf -g 'daemon off;'}.
 */
final class Nginx implements AutoCloseable {

    private static final List<String> CANDIDATES = List.of("/usr/sbin/nginx", "/usr/local/sbin/nginx",
            "/usr/local/nginx/sbin/nginx", "/usr/bin/nginx");

    final int port;
    private final Path prefix;
    private final Process process;

    private Nginx(int port, Path prefix, Process process) {
        this.port = port;
        this.prefix = prefix;
        this.process = process;
    }

    /** The nginx binary on PATH or in a usual place, if there is one. */
    /** The nginx binary; the calling test (or class) is skipped, saying so, where there is none. */
    static Path require(String skipping) {
        Optional<Path> binary = binary();
        org.junit.jupiter.api.Assumptions.assumeTrue(binary.isPresent(), "no nginx binary on PATH or in /usr/sbin: "
                + "skipping " + skipping + " (CI installs nginx with apt)");
        return binary.get();
    }

    /** nginx with the repository's configuration in front of {@code gateways}, under {@code prefix}. */
    static Nginx inFrontOf(Path nginx, Path prefix, List<GatewayProcess> gateways) throws IOException {
        return start(nginx, prefix, gateways.stream().map(g -> g.port).toList());
    }

    static Optional<Path> binary() {
        Stream<Path> onPath = Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                .filter(d -> !d.isEmpty()).map(d -> Path.of(d, "nginx"));
        return Stream.concat(onPath, CANDIDATES.stream().map(Path::of)).filter(Files::isExecutable).findFirst();
    }

    static Nginx start(Path nginx, Path prefix, List<Integer> gatewayPorts) throws IOException {
        // Passive failover as in production: a refused connection fails a gateway over at once.
        return start(nginx, prefix, gatewayPorts, "max_fails=1 fail_timeout=30s");
    }

    /** @param serverParams what follows each {@code server host:port} line of upstreams.conf */
    static Nginx start(Path nginx, Path prefix, List<Integer> gatewayPorts, String serverParams) throws IOException {
        return start(nginx, prefix, gatewayPorts, serverParams, null);
    }

    /**
     * @param balancing the upstream's balancing directive instead of the repository's (for instance
     *                  {@code least_conn}, {@code random two least_conn}); null keeps it
     */
    static Nginx start(Path nginx, Path prefix, List<Integer> gatewayPorts, String serverParams, String balancing)
            throws IOException {
        Files.createDirectories(prefix);
        Path source = repositoryFile("nginx/nginx.conf");
        int port = FreePort.pick();
        String conf = Files.readString(source, StandardCharsets.UTF_8);
        if (balancing != null) {
            String before = conf;
            conf = conf.replaceFirst("(?m)^(\\s*)(least_conn|random[^;]*|hash[^;]*|ip_hash);", "$1" + balancing + ";");
            if (conf.equals(before) && !before.contains(balancing + ";")) {
                throw new IllegalStateException(source + " has no balancing directive to replace");
            }
        }
        if (!conf.contains("listen 8080;")) {
            throw new IllegalStateException(source + " no longer has 'listen 8080;'");
        }
        Files.writeString(prefix.resolve("nginx.conf"), conf.replace("listen 8080;", "listen 127.0.0.1:" + port + ";"));
        Files.writeString(prefix.resolve("upstreams.conf"), gatewayPorts.stream()
                .map(p -> "server 127.0.0.1:" + p + " " + serverParams + ";")
                .collect(Collectors.joining("\n", "", "\n")));
        String p = prefix.toAbsolutePath() + "/";
        Process process = new ProcessBuilder(nginx.toString(), "-p", p, "-c", p + "nginx.conf", "-g", "daemon off;")
                .redirectErrorStream(true).redirectOutput(prefix.resolve("nginx.out").toFile()).start();
        Nginx n = new Nginx(port, prefix, process);
        n.awaitListening();
        return n;
    }

    /** A file of the repository, found from the module folder Maven runs the tests in. */
    static Path repositoryFile(String relative) {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.exists(d.resolve(relative))) {
                return d.resolve(relative);
            }
        }
        throw new IllegalStateException("cannot find " + relative + " above " + Path.of("").toAbsolutePath());
    }

    private void awaitListening() throws IOException {
        long deadline = System.currentTimeMillis() + 20_000;
        while (System.currentTimeMillis() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("nginx exited: " + log());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException(e);
                }
            }
        }
        throw new IllegalStateException("nginx did not listen on " + port + ": " + log());
    }

    URI ingestUri() {
        return URI.create("ws://127.0.0.1:" + port + "/v1/ingest");
    }

    URI httpBase() {
        return URI.create("http://127.0.0.1:" + port);
    }

    String log() {
        try {
            StringBuilder b = new StringBuilder();
            for (String f : List.of("nginx.out", "error.log")) {
                Path file = prefix.resolve(f);
                if (Files.exists(file)) {
                    b.append(Files.readString(file, StandardCharsets.UTF_8));
                }
            }
            return b.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        process.destroy(); // SIGTERM: nginx's fast shutdown
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
