package dev.recingest.app;

import dev.recingest.embedded.FreePort;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A merger in a JVM of its own, started the way production starts it ({@code Main merger}) on this
 * test's classpath, with its settings in the environment and its output in a log file. Its metrics
 * port answers Prometheus scrapes; {@link #kill()} is kill -9 (of it and of its FFmpeg).
 */
final class MergerProcess implements AutoCloseable {

    private static final Pattern HEAP = Pattern.compile("^jvm_memory_used_bytes\\{[^}]*area=\"heap\"[^}]*} (\\S+)$",
            Pattern.MULTILINE);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Process process;
    private final int metricsPort;
    private final Path log;

    private MergerProcess(Process process, int metricsPort, Path log) {
        this.process = process;
        this.metricsPort = metricsPort;
        this.log = log;
    }

    static MergerProcess start(Map<String, String> env, List<String> jvmArgs, Path log) throws Exception {
        int port = FreePort.pick();
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.recingest.app.Main", "merger"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        pb.environment().put("RECINGEST_HOST", "127.0.0.1");
        pb.environment().put("RECINGEST_METRICS_PORT", Integer.toString(port));
        MergerProcess m = new MergerProcess(pb.start(), port, log);
        m.awaitHealthy(Duration.ofSeconds(60));
        return m;
    }

    private void awaitHealthy(Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("the merger process exited with " + process.exitValue() + ":\n" + logTail());
            }
            try {
                if (get("/healthz").statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the merger process did not come up within " + limit + ":\n" + logTail());
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The heap in use now: jvm_memory_used_bytes summed over the heap pools; empty if no answer. */
    Optional<Long> heapUsedBytes() {
        try {
            Matcher m = HEAP.matcher(get("/metrics").body());
            double sum = 0;
            boolean any = false;
            while (m.find()) {
                sum += Double.parseDouble(m.group(1));
                any = true;
            }
            return any ? Optional.of((long) sum) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /**
     * True while the process runs the FFmpeg that writes a recording's MP4: the merge itself is under way
     * (FFmpeg also runs once at startup to list its encoders; that one writes no recording.mp4).
     */
    boolean runsMergingFfmpeg() {
        return process.descendants().anyMatch(p -> p.info().command().map(c -> c.endsWith("ffmpeg")).orElse(false)
                && p.info().arguments().map(a -> String.join(" ", a).contains("recording.mp4")).orElse(false));
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** kill -9, FFmpeg first, as when a container dies. */
    void kill() throws InterruptedException {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SIGTERM (graceful), then kill -9 if it is still there after 30 s. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                kill();
            }
        }
    }
}
