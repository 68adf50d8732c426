package dev.recingest.bench;

import dev.recingest.state.RedisConnections;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code bench/run.sh [--quick] [--recorders=1,16,64,256] [--chunks=64KiB,256KiB,1MiB] [--measure=8]
 * [--warmup=2] [--latency-seconds=20] [--no-latency] [--jfr] [--out=bench/target/results]
 * [--only=throughput,latency,connections,merge] [--no-warmup-cell] [--connections=2500,5000,10000,15000]
 * [--conn-interval=30,15,10] [--conn-chunk=2KiB] [--conn-active-seconds=60] [--conn-heap=512m] [--conn-parallel=200]
 * [--only=globalkeys --gk-recordings=10000 --gk-interval=10 --gk-active-seconds=60 --gk-quiet-seconds=45]
 * [--merge-minutes=60] [--merge-modes=stream,segments] [--merge-media=bench/target/media]}: runs the benchmark
 * suite's sections in the order throughput, latency, connections, merge and prints their tables; writes
 * results.md and throughput.png into the output folder (and with {@code --jfr}, a JFR profile of each cell's
 * measured gateway window under jfr/, and the merger's as jfr/merger.jfr).
 *
 * <p>The connections section ramps idle recordings in the given steps (its gateway alone in a JVM with
 * {@code -Xmx<conn-heap>}), then has the largest step that held send a {@code conn-chunk} chunk every
 * {@code conn-interval} seconds each for {@code conn-active-seconds} (one such phase per interval listed), at
 * most {@code conn-parallel} handshakes at a time; it writes the gateway's class histograms
 * (conn-histogram-N.txt) next to results.md. The merge section merges a {@code --merge-minutes} long recording
 * (cached under {@code --merge-media}) in each of {@code --merge-modes} with a merger in its own {@code -Xmx256m}
 * JVM, next to {@code cat} piped into the merger's own FFmpeg command.
 */
public final class Main {

    /** The suite's sections, in the order they run; {@code --only=a,b} runs a subset. */
    static final List<String> SECTIONS = List.of("throughput", "latency", "connections", "merge");
    /** Sections that run only when {@code --only} names them: {@code globalkeys} (item 9) needs a Redis Cluster. */
    static final List<String> OPTIONAL = List.of("globalkeys");

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new HashMap<>();
        for (String a : args) {
            String[] kv = a.replaceFirst("^--", "").split("=", 2);
            opts.put(kv[0], kv.length > 1 ? kv[1] : "true");
        }
        boolean quick = opts.containsKey("quick");
        Set<String> only = Set.of(opts.getOrDefault("only", String.join(",", SECTIONS)).split(","));
        if (!only.stream().allMatch(x -> SECTIONS.contains(x) || OPTIONAL.contains(x))) {
            throw new IllegalArgumentException("--only takes a subset of " + SECTIONS + " and " + OPTIONAL + ", got " + only);
        }
        int[] recorders = ints(opts.getOrDefault("recorders", quick ? "1,16,64" : "1,16,64,256"));
        int[] chunks = Arrays.stream(opts.getOrDefault("chunks", quick ? "64KiB,256KiB" : "64KiB,256KiB,1MiB")
                .split(",")).mapToInt(Main::bytes).toArray();
        long warmup = (long) (Double.parseDouble(opts.getOrDefault("warmup", "2")) * 1000);
        long measure = (long) (Double.parseDouble(opts.getOrDefault("measure", quick ? "5" : "8")) * 1000);
        long latencyMillis = (long) (Double.parseDouble(opts.getOrDefault("latency-seconds", quick ? "10" : "20")) * 1000);
        Path out = Path.of(opts.getOrDefault("out", "bench/target/results"));
        Path dir = Files.createTempDirectory("recingest-bench");

        StringBuilder md = new StringBuilder();
        md.append("Run: ").append(Instant.now()).append("\n\nMachine: ").append(machine()).append("\n\n");
        System.out.println(md);
        if (opts.containsKey("no-latency")) {
            only = only.stream().filter(x -> !x.equals("latency")).collect(Collectors.toSet());
        }
        try {
            if (only.contains("throughput") || only.contains("latency")) {
                ingest(opts, only, recorders, chunks, warmup, measure, latencyMillis, out, dir, md);
            }
            // items 3 (connections) and 4 (merge) run after, each with servers of its own
            if (only.contains("connections")) {
                md.append(Connections.run(Connections.Options.from(opts), dir.resolve("connections"), out));
            }
            if (only.contains("merge")) {
                md.append(MergeBench.section(opts, out, dir));
            }
            if (only.contains("globalkeys")) {
                md.append(GlobalKeys.run(GlobalKeys.Options.from(opts), dir.resolve("globalkeys")));
            }
        } finally {
            deleteQuietly(dir);
        }
        Files.createDirectories(out);
        Files.writeString(out.resolve("results.md"), md);
        System.out.println("wrote " + out.resolve("results.md")
                + (only.contains("throughput") ? " and " + out.resolve("throughput.png") : ""));
        System.exit(0); // SDK and JDK client threads are not all daemons
    }

    /** Items 1, 2 and 5: one in-process cluster, the throughput grid, then the fixed-load latency run. */
    private static void ingest(Map<String, String> opts, Set<String> only, int[] recorders, int[] chunks, long warmup,
            long measure, long latencyMillis, Path out, Path dir, StringBuilder md) throws Exception {
        try (BenchCluster cluster = new BenchCluster(dir); Recorders generator = new Recorders(2)) {
            RedisConnections probeClient = cluster.backend.redis;
            var probeConnection = probeClient.connect();
            RedisProbe probe = new RedisProbe(probeConnection.sync());
            Throughput throughput = new Throughput(cluster, generator, probe, warmup, measure);
            if (only.contains("throughput") && !opts.containsKey("no-warmup-cell")) {
                // The first cell of a fresh JVM measured the JIT and the S3 connection pool filling up,
                // not the steady state: one discarded cell first, on both sides.
                Throughput.Cell w = throughput.cell(16, 256 << 10);
                System.out.printf("warm-up cell N=16 chunk=256 KiB (discarded): ratio %.2f%n", w.ratio());
            }
            if (opts.containsKey("jfr")) {
                throughput.profileInto(out.resolve("jfr"));
            }
            List<Throughput.Cell> cells = new ArrayList<>();
            for (int size : only.contains("throughput") ? chunks : new int[0]) {
                for (int n : recorders) {
                    Throughput.Cell c = throughput.cell(n, size);
                    cells.add(c);
                    System.out.printf("cell N=%d chunk=%s: gateway %.1f MB/s, direct %.1f MB/s, ratio %.2f%n", n,
                            Report.size(size), c.gateway().mbPerSecond(), c.direct().mbPerSecond(), c.ratio());
                }
            }
            if (!cells.isEmpty()) {
                report(cells, cluster, out, md);
            }
            if (only.contains("latency")) {
                Latency latency = new Latency(cluster, throughput, warmup, latencyMillis);
                Latency.Result r = latency.run(Integer.parseInt(opts.getOrDefault("latency-recorders", "200")),
                        Double.parseDouble(opts.getOrDefault("latency-rate", "2")),
                        bytes(opts.getOrDefault("latency-chunk", "64KiB")));
                String lt = Report.latency(r);
                System.out.println("## 2. Ack latency at a fixed offered load\n\n" + lt);
                md.append("\n## 2. Ack latency at a fixed offered load\n\n").append(lt);
            }
            probeConnection.close();
        }
    }

    private static void report(List<Throughput.Cell> cells, BenchCluster cluster, Path out, StringBuilder md)
            throws IOException {
        String tp = Report.throughput(cells);
        String rc = Report.redis(cells);
        System.out.println("\n## 1. Ingest throughput (saturating, window "
                + Report.size((int) cluster.gatewayConfig.windowBytes()) + " per recorder)\n\n" + tp);
        System.out.println("## 5. Redis cost per chunk (during the gateway side of each cell)\n\n" + rc);
        md.append("## 1. Ingest throughput\n\n").append(tp).append("\n## 5. Redis cost per chunk\n\n").append(rc);
        Chart.throughput(cells.stream().toList(), "Acked MB/s vs concurrency: gateway (solid) vs direct S3 (dashed)",
                out.resolve("throughput.png"));
    }

    static String machine() {
        String cpu = "unknown CPU";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse(cpu);
        } catch (IOException | RuntimeException e) {
            // not Linux: the core count and JVM are still worth printing
        }
        return String.format("%d cores (%s), %s %s, Java %s, bench JVM max heap %d MiB; Redis, S3 server, gateway"
                        + " and load generator all in this process/machine on 127.0.0.1",
                Runtime.getRuntime().availableProcessors(), cpu, System.getProperty("os.name"),
                System.getProperty("os.version"), System.getProperty("java.version"),
                Runtime.getRuntime().maxMemory() >> 20) + "; JVM args " + ManagementFactory.getRuntimeMXBean()
                .getInputArguments();
    }

    static int[] ints(String csv) {
        return Arrays.stream(csv.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
    }

    /** "64KiB", "1MiB" or a plain byte count. */
    static int bytes(String s) {
        String t = s.trim();
        if (t.endsWith("KiB")) {
            return Integer.parseInt(t.substring(0, t.length() - 3)) << 10;
        }
        if (t.endsWith("MiB")) {
            return Integer.parseInt(t.substring(0, t.length() - 3)) << 20;
        }
        return Integer.parseInt(t);
    }

    static void deleteQuietly(Path dir) {
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("could not delete " + dir + ": " + e);
        }
    }
}
