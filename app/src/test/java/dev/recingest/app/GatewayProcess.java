package dev.recingest.app;

import dev.recingest.embedded.FreePort;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A gateway as a separate JVM: {@code java -cp <this test's class path> dev.recingest.app.Main gateway
 * --port=...}, with the backends in its environment (secrets never on the command line). Its log (stderr
 * and stdout) goes to a file the test can read. It is killed for real: {@code kill -9} or {@code kill -TERM}.
 */
final class GatewayProcess implements AutoCloseable {

    private static final long START_TIMEOUT_MILLIS = 90_000;

    /** The JVM flags a gateway runs with. */
    enum Jvm {
        /**
         * Small and quick to start, for the failure tests: these JVMs share two cores with the test and each
         * other. C1 only, serial GC, and Netty's paranoid leak detection (a LEAK line fails the test).
         */
        TEST(List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Dio.netty.leakDetectionLevel=paranoid")),
        /**
         * What the Dockerfile's entrypoint runs, for latency benchmarks: the JVM's default GC (G1 on a machine
         * with 2 CPUs and more than 2 GB) and tiered compilation (C1 then C2), Netty's default leak detection, exit
         * on OutOfMemoryError. The heap is fixed at what {@code -XX:MaxRAMPercentage=50} gives a 1 GiB container,
         * instead of half of this shared machine. With {@code -Dgateway.cds=true}, the packaged jar with the
         * image's class-data archive ({@link #productionArchive()}).
         */
        PRODUCTION(List.of("-Xmx512m", "-XX:+ExitOnOutOfMemoryError"));

        final List<String> options;

        Jvm(List<String> options) {
            this.options = options;
        }
    }

    final String name;
    final String host;
    final int port;
    final Path log;
    private final Process process;

    private GatewayProcess(String name, String host, int port, Path log, Process process) {
        this.name = name;
        this.host = host;
        this.port = port;
        this.log = log;
        this.process = process;
    }

    static GatewayProcess start(String name, Path log, Map<String, String> env, List<String> jvmOptions) {
        return start(name, FreePort.pick(), log, env, Jvm.TEST, jvmOptions);
    }

    /**
     * On a given port (a gateway restarted where the one killed before it listened: nginx's upstream), with
     * {@code jvm}'s flags followed by {@code jvmOptions}.
     */
    static GatewayProcess start(String name, int port, Path log, Map<String, String> env, Jvm jvm,
                                List<String> jvmOptions) {
        return start(List.of(), name, "127.0.0.1", port, log, env, jvm, jvmOptions);
    }

    /**
     * Run by {@code prefix} ({@code ip netns exec <ns>}: in a network namespace of its own) and listening on
     * {@code host}, where the test reaches it; the failure tests' JVM flags.
     */
    static GatewayProcess start(List<String> prefix, String name, String host, int port, Path log, Map<String, String> env,
                                List<String> jvmOptions) {
        return start(prefix, name, host, port, log, env, Jvm.TEST, jvmOptions);
    }

    private static GatewayProcess start(List<String> prefix, String name, String host, int port, Path log,
                                        Map<String, String> env, Jvm jvm, List<String> jvmOptions) {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvm.options);
        cmd.addAll(jvmOptions);
        Path archive = jvm == Jvm.PRODUCTION ? productionArchive() : null;
        if (archive != null) {
            // What the image's ENTRYPOINT runs: the packaged jar, its class-data archive mapped.
            cmd.add("-XX:SharedArchiveFile=" + archive);
            cmd.addAll(ClassDataArchive.QUIET);
            cmd.add("-jar");
            cmd.add(ClassDataArchive.jar().toString());
        } else {
            cmd.add("-cp");
            cmd.add(System.getProperty("java.class.path"));
            cmd.add("dev.recingest.app.Main");
        }
        cmd.add("gateway");
        cmd.add("--host=" + host);
        cmd.add("--port=" + port);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
        pb.environment().keySet().removeIf(k -> k.startsWith("RECINGEST_") || k.startsWith("AWS_"));
        pb.environment().putAll(env);
        try {
            GatewayProcess g = new GatewayProcess(name, host, port, log, pb.start());
            g.awaitHealthy();
            return g;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start gateway " + name, e);
        }
    }

    /**
     * With {@code -Dgateway.cds=true}: {@code target/recingest.jsa}, the Dockerfile's class-data archive made for
     * {@code target/recingest.jar} (trained once here when it is missing or older than the jar), so that production
     * gateways start as the image's do. Without the property, or without a packaged jar: null (the test's class
     * path, no archive).
     */
    static synchronized Path productionArchive() {
        Path jar = ClassDataArchive.jar();
        if (!Boolean.getBoolean("gateway.cds") || jar == null) {
            return null;
        }
        Path archive = jar.resolveSibling("recingest.jsa");
        try {
            if (!Files.exists(archive) || Files.getLastModifiedTime(archive).compareTo(Files.getLastModifiedTime(jar)) < 0) {
                Files.deleteIfExists(archive);
                Path work = Files.createTempDirectory(jar.getParent(), "cds-training");
                Integer code = ClassDataArchive.train(jar, archive, work);
                if (code == null || code != 0 || !Files.exists(archive)) {
                    throw new IllegalStateException("class-data training run failed (" + code + "):\n"
                            + ClassDataArchive.read(work.resolve("training.log")));
                }
            }
            return archive;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void awaitHealthy() {
        long deadline = System.currentTimeMillis() + START_TIMEOUT_MILLIS;
        while (System.currentTimeMillis() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("gateway " + name + " exited with " + process.exitValue() + ":\n" + logText());
            }
            if (FailureCluster.httpStatus(httpBase(), "/readyz") == 200) {
                return;
            }
            sleep(100);
        }
        process.destroyForcibly();
        throw new IllegalStateException("gateway " + name + " not ready within " + START_TIMEOUT_MILLIS + " ms:\n" + logText());
    }

    URI httpBase() {
        return URI.create("http://" + host + ":" + port);
    }

    URI ingestUri() {
        return URI.create("ws://" + host + ":" + port + "/v1/ingest");
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** {@code kill -9}: the JVM dies at once, mid-write, without closing anything. */
    void kill9() {
        signal("-9");
    }

    /** {@code kill -TERM}: the launcher's shutdown hook drains the gateway, then the JVM exits. */
    void sigterm() {
        signal("-TERM");
    }

    private void signal(String sig) {
        try {
            Process kill = new ProcessBuilder("kill", sig, Long.toString(pid())).inheritIO().start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill " + sig + " " + pid() + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Waits for the JVM to end; its exit code, or null if it is still running after {@code seconds}. */
    Integer awaitExit(long seconds) throws InterruptedException {
        return process.waitFor(seconds, TimeUnit.SECONDS) ? process.exitValue() : null;
    }

    String logText() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    /** Fails the test if any of {@code gateways} logged a leaked buffer, with that gateway's log. */
    static void assertNoLeak(List<GatewayProcess> gateways) {
        for (GatewayProcess g : gateways) {
            org.junit.jupiter.api.Assertions.assertFalse(g.loggedLeak(), g + " leaked a buffer:\n" + g.logText());
        }
    }

    /** Netty's leak detector reports a ByteBuf that was never released with a line starting "LEAK:". */
    boolean loggedLeak() {
        return logText().contains("LEAK:");
    }

    /** True once the gateway logged that it opened (or resumed) this recording. */
    boolean holds(String recordingId) {
        String text = logText();
        return text.contains("recording started recording=" + recordingId + " ")
                || text.contains("recording resumed recording=" + recordingId + " ");
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "gateway " + name + " (pid " + process.pid() + ", port " + port + ")";
    }
}
