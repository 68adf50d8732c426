package dev.recingest.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.recingest.client.admin.AdminClient;
import dev.recingest.config.RedisConfig;
import dev.recingest.embedded.FreePort;
import dev.recingest.embedded.RedisServerProcess;
import dev.recingest.embedded.RedisUnderTest;
import dev.recingest.protocol.Message;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Gateways cut from Redis by the network: two gateway JVMs run in a network namespace of their own
 * ({@link NetworkNamespace}), reaching Redis (Debian's redis-server) and the S3 server on the host over a veth
 * pair; the merger runs on the host. While four recordings stream, everything the namespace sends to Redis is
 * dropped for 20 s (iptables DROP: no refusal, packets vanish), then let through again. Meanwhile chunks are
 * nacked, retryably, and none is acked; afterwards every recording completes with every chunk exactly as sent,
 * none twice. Skipped without root, iproute2, iptables or redis-server.
 */
class RedisPartitionIT {

    private static final int SECONDS = 12;
    private static final Duration PARTITION = Duration.ofSeconds(20);
    /** Redis refuses clients from outside loopback without one (protected mode). */
    private static final String PASSWORD = "partition-test-redis-password";

    @TempDir
    static Path dir;
    static NetworkNamespace ns;
    static RedisServerProcess redis;
    static FailureCluster cluster;
    static List<GatewayProcess> gateways = new ArrayList<>();

    @BeforeAll
    static void up() {
        assumeTrue(RedisServerProcess.unavailable().isEmpty(), RedisServerProcess.unavailable().orElse(""));
        assumeTrue(NetworkNamespace.unavailable().isEmpty(), NetworkNamespace.unavailable().orElse(""));
        ns = NetworkNamespace.create();
        redis = new RedisServerProcess(dir.resolve("redis"), FreePort.pick(), List.of("bind 127.0.0.1 " + ns.hostIp,
                "appendonly yes", "appendfsync everysec", "requirepass " + PASSWORD), false).start();
        RedisUnderTest withPassword = new RedisUnderTest() {
            @Override
            public Map<String, String> settings() {
                return Map.of(RedisConfig.URI.env(), redis.uri(), RedisConfig.PASSWORD.env(), PASSWORD);
            }

            @Override
            public void close() {
                redis.close();
            }
        };
        cluster = new FailureCluster(dir, withPassword, ns.hostIp, true, Map.of());
        for (int i = 0; i < 2; i++) {
            Map<String, String> env = new HashMap<>(cluster.backendSettings(cluster.s3Server.endpoint().toString()));
            env.put("RECINGEST_REDIS_URI", "redis://" + ns.hostIp + ":" + redis.port());
            gateways.add(GatewayProcess.start(ns.prefix(), "partitioned-" + i, ns.innerIp, FreePort.pick(),
                    dir.resolve("partitioned-" + i + ".log"), env, List.of()));
        }
    }

    @AfterAll
    static void down() {
        gateways.forEach(GatewayProcess::close);
        if (cluster != null) {
            cluster.close();
        }
        if (redis != null) {
            redis.close();
        }
        if (ns != null) {
            ns.close();
        }
    }

    @Test
    void gatewaysCutFromRedisFor20sNackRetryablyAndLoseNothingOnceHealed() throws Exception {
        Path ts = Media.tsH264Aac(dir, SECONDS);
        List<byte[]> chunks = Recorder.byteRanges(ts, (int) ((Files.size(ts) + 99) / 100));
        List<Recorder> recorders = new ArrayList<>();
        List<CompletableFuture<Message.Stopped>> runs = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        long cutAt;
        long healedAt;
        int[] readyWhileCut = new int[2];
        try {
            for (int i = 0; i < 4; i++) {
                Recorder r = new Recorder();
                recorders.add(r);
                GatewayProcess g = gateways.get(i % 2);
                String id = "partition-" + i;
                runs.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return r.record(Recorder.options(g.ingestUri(), cluster.recorderToken()), id, "video/mp2t", chunks,
                                Duration.ofMillis(250), x -> { });
                    } catch (Exception e) {
                        throw new IllegalStateException(id + " failed: " + e, e);
                    }
                }, pool));
            }
            Thread.sleep(3000);
            ns.cut(redis.port());
            cutAt = System.nanoTime();
            Thread.sleep(PARTITION.toMillis() / 2);
            for (int i = 0; i < 2; i++) {
                readyWhileCut[i] = FailureCluster.httpStatus(gateways.get(i).httpBase(), "/readyz");
            }
            Thread.sleep(PARTITION.toMillis() - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cutAt));
            ns.heal();
            healedAt = System.nanoTime();
            for (CompletableFuture<Message.Stopped> run : runs) {
                assertEquals(chunks.size(), run.get(3, TimeUnit.MINUTES).chunks(), "stopped with every chunk");
            }
        } finally {
            pool.shutdownNow();
        }

        AdminClient admin = cluster.admin(gateways.get(0).httpBase());
        long nacks = 0;
        long firstAckAfterHeal = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            Recorder r = recorders.get(i);
            String id = "partition-" + i;
            nacks += r.nacks.get();
            assertEquals(0, r.finalNacks.get(), id + ": every nack was retryable");
            // The gateway's Redis calls time out after 5 s; from then until the heal, nothing can be acked.
            assertEquals(0, r.acksBetween(cutAt + TimeUnit.SECONDS.toNanos(6), healedAt), id + ": acked while cut off");
            for (long t : r.ackNanos) {
                if (t >= healedAt) {
                    firstAckAfterHeal = Math.min(firstAckAfterHeal, t - healedAt);
                }
            }
            assertEquals(SECONDS, cluster.completedMp4Duration(admin, id), 0.5, id + ": MP4 duration");
            cluster.assertChunksExact(id, chunks);
        }
        assertTrue(nacks > 0, "chunks sent while cut off were nacked");
        assertEquals(List.of(503, 503), List.of(readyWhileCut[0], readyWhileCut[1]), "/readyz while cut off from Redis");
        System.out.printf("Redis partition of %d s under 4 recordings: %d retryable nacks, none final; first ack %d ms "
                + "after the heal; every recording complete%n", PARTITION.toSeconds(), nacks,
                TimeUnit.NANOSECONDS.toMillis(firstAckAfterHeal));
        for (GatewayProcess g : gateways) {
            assertTrue(!g.loggedLeak(), g + " logged a LEAK");
        }
    }
}
