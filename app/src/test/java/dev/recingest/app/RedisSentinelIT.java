package dev.recingest.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.recingest.embedded.LocalRedisSentinel;
import dev.recingest.embedded.RedisServerProcess;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.RecordingKeys;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The system behind Redis Sentinel ({@link LocalRedisSentinel}: a master, a replica, three Sentinels, Debian's
 * redis-server), with a password on the data nodes and another on the Sentinels, both given as settings: two
 * gateways and a merger in this JVM, twenty recordings from the real client while the master is killed
 * (SIGKILL) after its replica was cut off it for 1.5 s. The Sentinels promote the replica, without the writes of
 * those 1.5 s; the gateways follow it, and every recording completes with every acked chunk, exactly as sent,
 * none twice. Skipped where the system has no redis-server.
 */
class RedisSentinelIT {

    private static final int SECONDS = 12;

    @TempDir
    static Path dir;
    static LocalRedisSentinel redis;
    static FailoverUnderLoad load;

    @BeforeAll
    static void up() throws Exception {
        assumeTrue(RedisServerProcess.unavailable().isEmpty(), RedisServerProcess.unavailable().orElse(""));
        redis = LocalRedisSentinel.start(dir.resolve("redis-sentinel"), "data-nodes-password-for-tests",
                "sentinel-password-for-tests");
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
    void theMasterKilledUnderTwentyRecordingsIsFailedOverAndNothingAckedIsLost() throws Exception {
        assertEquals(0, redis.master());
        FailoverUnderLoad.Figures figures = load.run("sentinel-failover", 20, Duration.ofMillis(120), Duration.ofSeconds(3),
                ids -> {
                    redis.cutReplication(1);
                    Thread.sleep(1500); // writes the replica never receives
                    List<Long> knew = new ArrayList<>();
                    for (String id : ids) {
                        knew.add(redis.onData(1, r -> r.hlen(new RecordingKeys(RecordingId.of(id)).stored())));
                    }
                    long kill = System.nanoTime();
                    redis.kill(0);
                    List<Long> stored = load.stored(ids);
                    redis.awaitMaster(1, Duration.ofSeconds(60));
                    return new FailoverUnderLoad.Outcome(kill, System.nanoTime(), knew, stored);
                });
        System.out.println("Redis Sentinel failover under 20 recordings: " + figures);
        assertEquals(20, figures.affected());
        assertTrue(figures.lostByRedis() > 0, "the promoted replica lacked acked chunks: " + figures);
    }
}
