package dev.recingest.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.recingest.agent.push.ChunkSource;
import dev.recingest.agent.push.PushRequest;
import dev.recingest.agent.push.PushResult;
import dev.recingest.agent.push.RecordingPusher;
import dev.recingest.agent.push.SegmentSource;
import dev.recingest.client.ClientOptions;
import dev.recingest.embedded.LocalRedisCluster;
import dev.recingest.embedded.RedisServerProcess;
import dev.recingest.protocol.Mode;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.RecordingKeys;
import dev.recingest.testkit.Waits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The system on a real 3-master, 3-replica Redis Cluster ({@link LocalRedisCluster}, Debian's redis-server):
 * two gateways and a merger in this JVM, each on its own cluster connection, recordings from the real client.
 * A recording in segments mode end to end; then twenty recordings in stream mode while the master that owns
 * one recording's slot is killed (SIGKILL) after its replica was cut off it for 1.5 s: the replica is promoted
 * without the writes of those 1.5 s, and every recording still completes with every acked chunk, exactly as
 * sent, none twice. Skipped where the system has no redis-server.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisClusterIT {

    private static final int SECONDS = 12;

    @TempDir
    static Path dir;
    static LocalRedisCluster redis;
    static FailoverUnderLoad load;

    @BeforeAll
    static void up() throws Exception {
        assumeTrue(RedisServerProcess.unavailable().isEmpty(), RedisServerProcess.unavailable().orElse(""));
        redis = LocalRedisCluster.start(dir.resolve("redis-cluster"));
        load = FailoverUnderLoad.on(dir, redis, SECONDS);
    }

    @AfterAll
    static void down() {
        if (load != null) {
            load.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    @Order(1)
    void segmentsModeMpegTsBecomesAPlayableMp4() throws Exception {
        Path source = Media.tsH264Aac(dir, SECONDS);
        try (ChunkSource chunks = SegmentSource.cut(source, Duration.ofSeconds(2), Media.FFMPEG.ffmpeg(),
                Duration.ofMinutes(2))) {
            RecordingPusher pusher = new RecordingPusher(ClientOptions.defaults(
                    load.gateways().get(1), load.cluster().recorderToken()), load.admin());
            PushResult result = pusher.push(chunks, PushRequest.of(source, Mode.SEGMENTS)
                    .withRecordingId("cluster-segments").withMergeWait(true, Duration.ofMinutes(3)));
            assertEquals("COMPLETED", result.state(), String.valueOf(result.error()));
            List<byte[]> sent = new ArrayList<>();
            for (int i = 0; i < chunks.count(); i++) {
                sent.add(chunks.read(i));
            }
            load.cluster().assertChunksExact("cluster-segments", sent);
            assertEquals(SECONDS, load.cluster().completedMp4Duration(load.admin(), "cluster-segments"), 0.5);
        }
    }

    @Test
    @Order(2)
    void aMasterKilledUnderTwentyRecordingsIsFailedOverAndNothingAckedIsLost() throws Exception {
        int[] failed = new int[1];
        int[] promoted = new int[1];
        FailoverUnderLoad.Figures figures = load.run("cluster-failover", 20, Duration.ofMillis(120), Duration.ofSeconds(3),
                ids -> {
                    String probe = meta(ids.get(0));
                    int master = redis.masterOf(probe);
                    int replica = redis.replicaOf(master);
                    failed[0] = master;
                    promoted[0] = replica;
                    redis.cutReplication(replica);
                    Thread.sleep(1500); // writes the replica never receives
                    List<Long> knew = new ArrayList<>();
                    for (String id : ids) {
                        knew.add(redis.masterOf(meta(id)) != master ? -1L : redis.onNode(replica, r -> {
                            r.readOnly();
                            return r.hlen(new RecordingKeys(RecordingId.of(id)).stored());
                        }));
                    }
                    long kill = System.nanoTime();
                    redis.kill(master);
                    List<Long> stored = load.stored(ids);
                    Waits.until(() -> {
                        try {
                            return redis.masterOf(probe) == replica;
                        } catch (IllegalStateException notYet) {
                            return false;
                        }
                    }, Duration.ofSeconds(60), "the replica of node " + master + " is promoted");
                    return new FailoverUnderLoad.Outcome(kill, System.nanoTime(), knew, stored);
                });
        System.out.println("Redis Cluster failover under 20 recordings (node " + failed[0] + " killed, node " + promoted[0]
                + " promoted): " + figures);
        assertNotEquals(failed[0], promoted[0]);
        assertTrue(figures.affected() > 0, "recordings lived on the killed master");
        assertTrue(figures.lostByRedis() > 0, "the promoted replica lacked acked chunks: " + figures);
    }

    private static String meta(String id) {
        return new RecordingKeys(RecordingId.of(id)).meta();
    }
}
