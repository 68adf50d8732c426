package dev.recingest.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Item 2: a fixed offered load (R recorders, each one chunk every period, phases spread at random),
 * sent-to-ack latency percentiles through the gateway next to direct S3 PUTs at the same rate.
 */
record Latency(BenchCluster cluster, Throughput opener, long warmupMillis, long measureMillis) {

    record Percentiles(double p50, double p99, double p999, int samples, long failures) {
        static Percentiles of(Stats stats) {
            long[] l = stats.latenciesNanos();
            Arrays.sort(l);
            return new Percentiles(Stats.percentileMillis(l, 0.50), Stats.percentileMillis(l, 0.99),
                    Stats.percentileMillis(l, 0.999), l.length, stats.failures.sum());
        }
    }

    record Result(int recorders, double chunksPerSecondEach, int chunkBytes, Percentiles gateway,
                  Percentiles direct) {
    }


    Result run(int recorders, double perSecond, int chunkBytes) throws Exception {
        long window = cluster.gatewayConfig.windowBytes();
        Stats gw = new Stats();
        List<Lane> lanes = opener.openGateway(recorders, chunkBytes, window, gw, "lat");
        Percentiles gateway = drive(lanes, gw, perSecond);
        cluster.wipeObjects();
        Stats direct = new Stats();
        var s3 = cluster.directClient();
        List<Lane> s3Lanes = new ArrayList<>();
        for (int i = 0; i < recorders; i++) {
            s3Lanes.add(new S3Lane(s3, BenchCluster.BUCKET, "lat-direct-" + i, chunkBytes, window, direct));
        }
        Percentiles baseline = drive(s3Lanes, direct, perSecond);
        s3.close();
        cluster.wipeObjects();
        return new Result(recorders, perSecond, chunkBytes, gateway, baseline);
    }

    private Percentiles drive(List<Lane> lanes, Stats stats, double perSecond) throws InterruptedException {
        ScheduledExecutorService timer = Executors.newScheduledThreadPool(2);
        long periodMicros = (long) (1e6 / perSecond);
        for (Lane lane : lanes) {
            timer.scheduleAtFixedRate(lane::tick, ThreadLocalRandom.current().nextLong(periodMicros), periodMicros,
                    TimeUnit.MICROSECONDS);
        }
        Thread.sleep(warmupMillis);
        stats.measuring = true;
        Thread.sleep(measureMillis);
        stats.measuring = false;
        timer.shutdownNow();
        lanes.forEach(Lane::halt);
        Throughput.settle(stats);
        lanes.forEach(Lane::close);
        return Percentiles.of(stats);
    }
}
