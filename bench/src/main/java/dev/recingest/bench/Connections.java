package dev.recingest.bench;

import dev.recingest.auth.Tokens;
import dev.recingest.config.S3Config;
import dev.recingest.embedded.EmbeddedRedis;
import dev.recingest.embedded.EmbeddedS3;
import dev.recingest.storage.S3Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Item 3: how many open recordings one gateway holds with {@code -Xmx512m}, and its heap per connection.
 * Redis and the S3 server run in this JVM; the gateway runs alone in a child JVM ({@link GatewayProcess})
 * so that its heap is measured without the load generator's. The generator ramps idle recordings up in
 * steps (a full GC in the gateway and its heap after each), stops ramping at the first step that does
 * not fully hold, then makes the recordings of the largest step that held each send a small chunk every
 * few seconds. Writes the gateway's class histograms at 0 connections and at the largest step into
 * {@code out}, the profile the per-connection figure is explained by.
 */
final class Connections {

    private static final String SECRET = "bench-secret-bench-secret-bench-secret-01";
    private static final String ACCESS = "bench-access";
    private static final String S3_SECRET = "bench-s3-secret";

    /**
     * {@code intervalsMillis}: one active phase per interval, in order. The default goes from the slowest rate
     * to the fastest, because the first phase also warms the gateway's chunk path (JIT, S3 connection pool):
     * on a cold gateway its first seconds of chunks wait seconds and some are nacked, at any rate.
     */
    record Options(int[] steps, long[] intervalsMillis, int chunkBytes, long activeMillis, String heap, int parallel) {

        static Options from(Map<String, String> opts) {
            return new Options(Main.ints(opts.getOrDefault("connections", "2500,5000,10000,15000")),
                    Arrays.stream(opts.getOrDefault("conn-interval", "30,15,10").split(","))
                            .mapToLong(x -> (long) (Double.parseDouble(x.trim()) * 1000)).toArray(),
                    Main.bytes(opts.getOrDefault("conn-chunk", "2KiB")),
                    (long) (Double.parseDouble(opts.getOrDefault("conn-active-seconds", "60")) * 1000),
                    opts.getOrDefault("conn-heap", "512m"),
                    Integer.parseInt(opts.getOrDefault("conn-parallel", "200")));
        }
    }

    private Connections() {
    }

    /** Runs item 3 and returns its Markdown section (also printed as it goes). */
    static String run(Options o, Path dir, Path out) throws Exception {
        Files.createDirectories(out);
        try {
            return runIn(o, dir, out);
        } finally {
            // The gateway's warnings are worth keeping; the Redis and S3 data are not.
            Path log = dir.resolve("gateway.log");
            if (Files.exists(log)) {
                Files.copy(log, out.resolve("conn-gateway.log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            Main.deleteQuietly(dir);
        }
    }

    private static String runIn(Options o, Path dir, Path out) throws Exception {
        Files.createDirectories(dir);
        int max = Arrays.stream(o.steps()).max().orElse(0);
        try (EmbeddedRedis redis = EmbeddedRedis.start(dir.resolve("redis"));
             EmbeddedS3 s3Server = EmbeddedS3.start(dir.resolve("s3"), ACCESS, S3_SECRET)) {
            try (S3Store s3 = S3Store.create(new S3Config(s3Server.endpoint(), "us-east-1", BenchCluster.BUCKET, "",
                    ACCESS, S3_SECRET, true, 256, null))) {
                s3.ensureBucket();
            }
            Map<String, String> env = new TreeMap<>(Map.of(
                    "RECINGEST_HOST", "127.0.0.1",
                    "RECINGEST_PORT", "0",
                    "RECINGEST_JWT_SECRET", SECRET,
                    "RECINGEST_REDIS_URI", redis.uri(),
                    "RECINGEST_S3_ENDPOINT", s3Server.endpoint().toString(),
                    "RECINGEST_S3_BUCKET", BenchCluster.BUCKET,
                    "AWS_ACCESS_KEY_ID", ACCESS,
                    "AWS_SECRET_ACCESS_KEY", S3_SECRET,
                    // Above the test's count, so the limit is memory and sockets, not policy: all its recordings
                    // are one token subject's, which may otherwise have 100 open (RECINGEST_MAX_OPEN_PER_SUBJECT).
                    "RECINGEST_MAX_OPEN_PER_SUBJECT", "0",
                    "RECINGEST_MAX_CONNECTIONS", Integer.toString(Math.max(20_000, max + 1000))));
            try (GatewayProcess gw = new GatewayProcess(o.heap(), env, dir.resolve("gateway.log"))) {
                return measure(o, gw, out);
            }
        }
    }

    private static String measure(Options o, GatewayProcess gw, Path out) throws Exception {
        System.out.printf("connections: gateway pid %d, -Xmx%s, port %d%n", gw.pid(), o.heap(), gw.port);
        GatewayProcess.Memory baseline = gw.afterGc();
        gw.classHistogram(out.resolve("conn-histogram-0.txt"));
        String token = new Tokens(SECRET).issueForPrefix("bench", "conn-", Duration.ofHours(6));
        List<ConnTables.Step> steps = new ArrayList<>();
        StringBuilder md = new StringBuilder("\n## 3. Connections (gateway alone in a JVM with -Xmx" + o.heap() + ")\n\n");
        try (ConnLoad load = new ConnLoad(gw.ingestUri(), token, "conn-" + System.currentTimeMillis() + "-", 2)) {
            int held = 0;
            for (int n : o.steps()) {
                ConnLoad.Opened opened = load.openUpTo(n, o.parallel(), 60_000);
                Thread.sleep(2000); // closes that follow a start (a limit, a late error) show up by now
                int open = load.open();
                ConnTables.Step step = new ConnTables.Step(n, opened, open, gw.afterGc());
                steps.add(step);
                System.out.printf("step %d: opened %d, failed %d %s, still open %d, heap %.1f MiB, %.1f KiB/conn,"
                                + " %.1f s%n", n, opened.ok(), opened.failed(), opened.reasons(), open,
                        ConnTables.mib(step.memory().heapBytes()), ConnTables.kibPerConnection(
                                step.memory().heapBytes(), baseline.heapBytes(), open), opened.millis() / 1000.0);
                if (open < n) {
                    break; // this step did not hold: larger ones would not either
                }
                held = n;
            }
            gw.classHistogram(out.resolve("conn-histogram-" + steps.get(steps.size() - 1).connections() + ".txt"));
            String stepTable = ConnTables.steps(baseline, steps);
            md.append(stepTable).append('\n');
            System.out.println(md);
            for (long interval : held > 0 && o.activeMillis() > 0 ? o.intervalsMillis() : new long[0]) {
                String active = ConnTables.active(active(o, interval, gw, load));
                System.out.println(active);
                md.append(active).append('\n');
                Thread.sleep(5000); // let the gateway's backlog (if any) settle before the next phase
            }
        }
        return md.toString();
    }

    /** Every open recording sends a chunk every interval for the active time; acks awaited up to 15 s after. */
    private static ConnTables.Active active(Options o, long interval, GatewayProcess gw, ConnLoad load)
            throws InterruptedException {
        Stats stats = new Stats();
        stats.measuring = true;
        load.stats = stats;
        load.offered.reset();
        load.errors.clear();
        int connections = load.open();
        long t0 = System.nanoTime();
        load.startTicking(interval, o.chunkBytes());
        long maxHeap = 0;
        while (System.nanoTime() - t0 < o.activeMillis() * 1_000_000) {
            Thread.sleep(2000);
            maxHeap = Math.max(maxHeap, gw.sample().heapBytes());
        }
        load.stopTicking();
        long millis = (System.nanoTime() - t0) / 1_000_000;
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (stats.chunks.sum() + stats.nacks.sum() + stats.failures.sum() < load.offered.sum()
                && System.nanoTime() < deadline) {
            Thread.sleep(200);
            maxHeap = Math.max(maxHeap, gw.sample().heapBytes());
        }
        long[] lat = stats.latenciesNanos();
        Arrays.sort(lat);
        Map<String, Long> errors = new TreeMap<>();
        load.errors.forEach((k, v) -> errors.put(k, v.sum()));
        return new ConnTables.Active(connections, interval, o.chunkBytes(), millis, load.offered.sum(),
                stats.chunks.sum(), stats.nacks.sum(), stats.failures.sum(), errors, Stats.percentileMillis(lat, 0.5),
                Stats.percentileMillis(lat, 0.99), maxHeap, gw.afterGc().heapBytes(), load.open(), load.closeCodes());
    }
}
