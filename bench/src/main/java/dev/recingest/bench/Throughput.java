package dev.recingest.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Item 1 (and 5): one cell of the grid, N saturating recorders of one chunk size, first through the
 * gateway, then as direct S3 PUTs from the same generator. Each side warms up, then counts acks over
 * the measured window.
 */
final class Throughput {

    /**
     * One side's figures over the measured window. {@code cpuMillisPerMb} is this process's CPU time (gateway,
     * S3 server and generator share it; Redis runs apart and costs 1-4 % of a core) per acked MB: on a
     * machine whose other tenants take CPU away, the cost of a MB says more than the MB/s.
     */
    record Side(double mbPerSecond, double chunksPerSecond, long failures, long nacks, double cpuMillisPerMb) {
    }

    record Cell(int recorders, int chunkBytes, Side gateway, Side direct, RedisProbe.Cost redis) {
        double ratio() {
            return gateway.mbPerSecond() / direct.mbPerSecond();
        }
    }

    private static final com.sun.management.OperatingSystemMXBean CPU =
            (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    private final BenchCluster cluster;
    private final Recorders recorders;
    private final RedisProbe probe;
    private final long warmupMillis;
    private final long measureMillis;
    private int run;
    private java.nio.file.Path jfrDir;

    /** Records a JFR profile (settings "profile") of each cell's measured gateway window into {@code dir}. */
    void profileInto(java.nio.file.Path dir) {
        this.jfrDir = dir;
    }

    Throughput(BenchCluster cluster, Recorders recorders, RedisProbe probe, long warmupMillis, long measureMillis) {
        this.cluster = cluster;
        this.recorders = recorders;
        this.probe = probe;
        this.warmupMillis = warmupMillis;
        this.measureMillis = measureMillis;
    }

    Cell cell(int recorders, int chunkBytes) throws Exception {
        run++;
        long window = cluster.gatewayConfig.windowBytes();
        Stats gw = new Stats();
        List<Lane> lanes = openGateway(recorders, chunkBytes, window, gw, "tp" + run);
        RedisProbe.Snapshot[] redis = new RedisProbe.Snapshot[2];
        jdk.jfr.Recording[] jfr = new jdk.jfr.Recording[1];
        String cellName = recorders + "x" + Report.size(chunkBytes).replace(" ", "") + ".jfr";
        String name = "gateway-" + cellName;
        Side gateway = drive(lanes, gw, () -> {
            redis[0] = probe.snapshot();
            jfr[0] = startJfr();
        }, () -> {
            redis[1] = probe.snapshot();
            stopJfr(jfr[0], name);
        });
        if (!cluster.awaitGatewayIdle(Duration.ofSeconds(60))) {
            System.out.println("warning: the gateway still had chunks in flight 60 s after the gateway side");
        }
        cluster.wipeObjects();
        Stats direct = new Stats();
        long share = Math.min(window, cluster.gatewayConfig.globalInflightBytes() / recorders);
        long laneWindow = Math.max(chunkBytes, share);
        var s3 = cluster.directClient();
        List<Lane> s3Lanes = new ArrayList<>();
        for (int i = 0; i < recorders; i++) {
            s3Lanes.add(new S3Lane(s3, BenchCluster.BUCKET, "direct-" + run + "-" + i, chunkBytes, laneWindow, direct));
        }
        Side baseline = drive(s3Lanes, direct, () -> jfr[0] = startJfr(), () -> stopJfr(jfr[0], "direct-" + cellName));
        s3.close();
        cluster.wipeObjects();
        return new Cell(recorders, chunkBytes, gateway, baseline,
                RedisProbe.cost(redis[0], redis[1], (long) (gateway.chunksPerSecond() * measureMillis / 1000.0)));
    }

    private jdk.jfr.Recording startJfr() {
        if (jfrDir == null) {
            return null;
        }
        try {
            jdk.jfr.Recording r = new jdk.jfr.Recording(jdk.jfr.Configuration.getConfiguration("profile"));
            r.start();
            return r;
        } catch (java.io.IOException | java.text.ParseException e) {
            throw new IllegalStateException(e);
        }
    }

    private void stopJfr(jdk.jfr.Recording r, String name) {
        if (r == null) {
            return;
        }
        try {
            java.nio.file.Files.createDirectories(jfrDir);
            r.stop();
            r.dump(jfrDir.resolve(name));
            r.close();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    List<Lane> openGateway(int count, int chunkBytes, long window, Stats stats, String prefix) {
        return recorders.open(cluster.ingestUri(), cluster.token(), prefix, count, chunkBytes, window, stats);
    }

    /**
     * Waits (at most 20 s) until no ack arrived for half a second, so that the chunks still in flight are
     * stored before the objects are wiped and the other side starts on a quiet machine.
     */
    static void settle(Stats stats) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        long last = -1;
        while (System.nanoTime() < deadline) {
            long now = stats.chunks.sum() + stats.failures.sum();
            if (now == last) {
                return;
            }
            last = now;
            Thread.sleep(500);
        }
    }

    private Side drive(List<Lane> lanes, Stats stats, Runnable atStart, Runnable atEnd) throws InterruptedException {
        lanes.forEach(Lane::saturate);
        Thread.sleep(warmupMillis);
        atStart.run();
        long c0 = stats.chunks.sum();
        long b0 = stats.bytes.sum();
        long f0 = stats.failures.sum();
        long n0 = stats.nacks.sum();
        long cpu0 = CPU.getProcessCpuTime();
        long t0 = System.nanoTime();
        Thread.sleep(measureMillis);
        long c1 = stats.chunks.sum();
        long b1 = stats.bytes.sum();
        long cpu1 = CPU.getProcessCpuTime();
        long t1 = System.nanoTime();
        long failures = stats.failures.sum() - f0;
        long nacks = stats.nacks.sum() - n0;
        atEnd.run();
        lanes.forEach(Lane::halt);
        settle(stats);
        lanes.forEach(Lane::close);
        double seconds = (t1 - t0) / 1e9;
        double mb = (b1 - b0) / 1e6;
        return new Side(mb / seconds, (c1 - c0) / seconds, failures, nacks, mb == 0 ? Double.NaN : (cpu1 - cpu0) / 1e6 / mb);
    }
}
