package dev.recingest.bench;

import dev.recingest.auth.Tokens;
import dev.recingest.config.S3Config;
import dev.recingest.embedded.EmbeddedS3;
import dev.recingest.embedded.LocalRedisCluster;
import dev.recingest.storage.S3Store;
import io.lettuce.core.cluster.SlotHash;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Item 9: the load on the global keys' slots at thousands of open recordings, on a real 3-master, 3-replica
 * Redis Cluster ({@link LocalRedisCluster}). A gateway in a JVM of its own and a merger in another run on the
 * cluster; {@link ConnLoad} opens the recordings (raw WebSockets, real {@code start}), makes each send a small
 * chunk every few seconds, then lets them go quiet (the janitor stalls them). {@link RedisMonitor} counts, on
 * every master, each command under the key it names. The table gives, per phase, commands per second per key:
 * every global key lives in one slot, so its row is the load on that slot (and on the one master serving it);
 * the per-recording keys are spread over all 16384 slots.
 */
final class GlobalKeys {

    private static final String SECRET = "bench-secret-bench-secret-bench-secret-01";
    private static final String ACCESS = "bench-access";
    private static final String S3_SECRET = "bench-s3-secret";

    record Options(int recordings, long intervalMillis, long activeMillis, long quietMillis, int parallel) {

        static Options from(Map<String, String> opts) {
            return new Options(Integer.parseInt(opts.getOrDefault("gk-recordings", "10000")),
                    (long) (Double.parseDouble(opts.getOrDefault("gk-interval", "10")) * 1000),
                    (long) (Double.parseDouble(opts.getOrDefault("gk-active-seconds", "60")) * 1000),
                    (long) (Double.parseDouble(opts.getOrDefault("gk-quiet-seconds", "45")) * 1000),
                    Integer.parseInt(opts.getOrDefault("conn-parallel", "200")));
        }
    }

    /** One phase: what each key group got, over how long. */
    record Phase(String name, Map<String, Long> counts, double seconds) {
    }

    private GlobalKeys() {
    }

    /** Runs item 9 and returns its Markdown section (also printed). */
    static String run(Options o, Path dir) throws Exception {
        Files.createDirectories(dir);
        try (LocalRedisCluster redis = LocalRedisCluster.start(dir.resolve("redis-cluster"));
             EmbeddedS3 s3Server = EmbeddedS3.start(dir.resolve("s3"), ACCESS, S3_SECRET)) {
            try (S3Store s3 = S3Store.create(new S3Config(s3Server.endpoint(), "us-east-1", BenchCluster.BUCKET, "",
                    ACCESS, S3_SECRET, true, 256, null))) {
                s3.ensureBucket();
            }
            Map<String, String> backends = Map.of(
                    "RECINGEST_REDIS_URI", redis.uri(),
                    "RECINGEST_S3_ENDPOINT", s3Server.endpoint().toString(),
                    "RECINGEST_S3_BUCKET", BenchCluster.BUCKET,
                    "AWS_ACCESS_KEY_ID", ACCESS,
                    "AWS_SECRET_ACCESS_KEY", S3_SECRET);
            Map<String, String> gatewayEnv = new TreeMap<>(backends);
            gatewayEnv.putAll(Map.of("RECINGEST_HOST", "127.0.0.1", "RECINGEST_PORT", "0", "RECINGEST_JWT_SECRET", SECRET,
                    "RECINGEST_MAX_CONNECTIONS", Integer.toString(o.recordings() + 1000),
                    // One token for every recording here; a real fleet has a subject per device or user.
                    "RECINGEST_MAX_OPEN_PER_SUBJECT", Integer.toString(o.recordings() + 1000)));
            Map<String, String> mergerEnv = new TreeMap<>(backends);
            mergerEnv.put("RECINGEST_MERGE_WORK_DIR", Files.createDirectories(dir.resolve("merge-work")).toString());
            List<Integer> masters = List.of(redis.port(0), redis.port(1), redis.port(2));
            try (GatewayProcess gw = new GatewayProcess("1g", gatewayEnv, dir.resolve("gateway.log"));
                 MergerJvm merger = MergerJvm.start(mergerEnv, List.of("-Xmx256m"), dir.resolve("merger.log"));
                 RedisMonitor monitor = new RedisMonitor(masters)) {
                return measure(o, redis, gw, monitor);
            }
        }
    }

    private static String measure(Options o, LocalRedisCluster redis, GatewayProcess gw, RedisMonitor monitor)
            throws Exception {
        String token = new Tokens(SECRET).issueForPrefix("bench", "gk-", Duration.ofHours(6));
        List<Phase> phases = new ArrayList<>();
        try (ConnLoad load = new ConnLoad(gw.ingestUri(), token, "gk-" + System.currentTimeMillis() + "-", 2)) {
            Map<String, Long> before = monitor.snapshot();
            long t0 = System.nanoTime();
            ConnLoad.Opened opened = load.openUpTo(o.recordings(), o.parallel(), 120_000);
            Map<String, Long> after = monitor.snapshot();
            phases.add(new Phase("opening " + opened.ok() + " (" + opened.failed() + " failed)",
                    RedisMonitor.delta(before, after), seconds(t0)));
            System.out.printf("global keys: opened %d recordings, %d failed %s in %.1f s%n", opened.ok(), opened.failed(),
                    opened.reasons(), opened.millis() / 1000.0);

            before = after;
            t0 = System.nanoTime();
            load.startTicking(o.intervalMillis(), 2048);
            Thread.sleep(o.activeMillis());
            load.stopTicking();
            after = monitor.snapshot();
            phases.add(new Phase(load.open() + " open, a chunk every " + o.intervalMillis() / 1000 + " s each",
                    RedisMonitor.delta(before, after), seconds(t0)));

            before = after;
            t0 = System.nanoTime();
            Thread.sleep(o.quietMillis());
            after = monitor.snapshot();
            phases.add(new Phase(load.open() + " open, no chunks", RedisMonitor.delta(before, after),
                    seconds(t0)));
        }
        String md = table(o, redis, phases);
        System.out.println(md);
        return md;
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    static String table(Options o, LocalRedisCluster redis, List<Phase> phases) {
        StringBuilder md = new StringBuilder("\n## 9. Global keys on a Redis Cluster (" + o.recordings()
                + " open recordings, 3 masters + 3 replicas)\n\n");
        md.append("Commands per second each key received, by phase (sent by a client / run inside a Lua script). A global"
                + " key is one slot on one master; the per-recording keys are spread over every slot.\n\n");
        md.append("| key | slot (master) |");
        phases.forEach(p -> md.append(' ').append(p.name()).append(String.format(" (%.0f s)", p.seconds())).append(" |"));
        md.append("\n| --- | --- |");
        phases.forEach(p -> md.append(" ---: |"));
        md.append('\n');
        TreeSet<String> groups = new TreeSet<>();
        phases.forEach(p -> p.counts().keySet().forEach(k -> groups.add(k.substring(k.indexOf(':') + 1))));
        for (String g : groups) {
            boolean global = g.startsWith("recingest:") && !g.contains("{");
            String where;
            String label = g;
            if (g.startsWith(RedisMonitor.NODE)) {
                int port = Integer.parseInt(g.substring(RedisMonitor.NODE.length()).replaceAll("\\D", ""));
                where = "node " + List.of(redis.port(0), redis.port(1), redis.port(2)).indexOf(port);
                label = g + ")";
            } else {
                where = global ? SlotHash.getSlot(g) + " (node " + redis.masterOf(g) + ")" : g.startsWith("(") ? "—" : "all";
            }
            md.append("| `").append(label).append("` | ").append(where).append(" |");
            for (Phase p : phases) {
                long sent = p.counts().getOrDefault("sent:" + g, 0L);
                long lua = p.counts().getOrDefault("lua:" + g, 0L);
                md.append(String.format(" %.1f / %.1f |", sent / p.seconds(), lua / p.seconds()));
            }
            md.append('\n');
        }
        return md.toString();
    }
}
