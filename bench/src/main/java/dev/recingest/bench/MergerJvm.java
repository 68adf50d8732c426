package dev.recingest.bench;

import dev.recingest.embedded.FreePort;
import java.io.IOException;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A merger in a JVM of its own, started as production starts it ({@code dev.recingest.app.Main merger})
 * on the bench's classpath with its settings in the environment, so its heap (bounded by the {@code -Xmx}
 * in {@code jvmArgs}) and its JFR profile are the merger's alone. A sampler scrapes its Prometheus
 * heap gauge every {@link #SAMPLE_MILLIS} ms and keeps the peak.
 */
final class MergerJvm implements AutoCloseable {

    static final long SAMPLE_MILLIS = 200;
    private static final Pattern HEAP = Pattern.compile(
            "^jvm_memory_used_bytes\\{[^}]*area=\"heap\"[^}]*} (\\S+)$", Pattern.MULTILINE);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Process process;
    private final int metricsPort;
    final Path log;
    private final AtomicLong peakHeap = new AtomicLong();
    private final Thread sampler;
    private volatile boolean sampling = true;

    private MergerJvm(Process process, int metricsPort, Path log) {
        this.process = process;
        this.metricsPort = metricsPort;
        this.log = log;
        this.sampler = new Thread(this::sample, "merger-heap-sampler");
        sampler.setDaemon(true);
    }

    static MergerJvm start(Map<String, String> env, List<String> jvmArgs, Path log) throws Exception {
        int port = FreePort.pick();
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(jvmArgs);
        // INFO logs (one line per merge phase) for the breakdown; the bench's own logback.xml says WARN.
        cmd.addAll(List.of("-Dlogback.configurationFile=merger-logback.xml",
                "-cp", System.getProperty("java.class.path"), "dev.recingest.app.Main", "merger"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        pb.environment().put("RECINGEST_HOST", "127.0.0.1");
        pb.environment().put("RECINGEST_METRICS_PORT", Integer.toString(port));
        MergerJvm m = new MergerJvm(pb.start(), port, log);
        try {
            m.awaitHealthy(Duration.ofSeconds(90));
        } catch (Exception e) {
            m.close();
            throw e;
        }
        m.sampler.start();
        return m;
    }

    private void awaitHealthy(Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the merger exited with " + process.exitValue() + "; see " + log);
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
        throw new IllegalStateException("the merger did not come up within " + limit + "; see " + log);
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private void sample() {
        while (sampling) {
            try {
                Matcher m = HEAP.matcher(get("/metrics").body());
                double sum = 0;
                while (m.find()) {
                    sum += Double.parseDouble(m.group(1));
                }
                long used = (long) sum;
                peakHeap.accumulateAndGet(used, Math::max);
                Thread.sleep(SAMPLE_MILLIS);
            } catch (IOException e) {
                // a scrape that did not answer (the merger is busy or stopping): the next one counts
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** The largest heap in use seen so far, over all samples; then starts a new peak. */
    long takePeakHeap() {
        return peakHeap.getAndSet(0);
    }

    /** SIGTERM (graceful: a JFR recording is dumped on exit), kill -9 after 30 s. */
    @Override
    public void close() throws InterruptedException {
        sampling = false;
        sampler.interrupt();
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
