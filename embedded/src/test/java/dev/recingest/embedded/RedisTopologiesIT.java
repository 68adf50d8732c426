package dev.recingest.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.recingest.protocol.Mode;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.MergeQueue;
import dev.recingest.state.Outcomes;
import dev.recingest.state.RecordingKeys;
import dev.recingest.state.RecordingStore;
import dev.recingest.state.RedisConnection;
import dev.recingest.state.RedisConnections;
import dev.recingest.state.SeqMode;
import io.lettuce.core.cluster.SlotHash;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same store code over the three topologies the system runs on, each a real server: a recording's
 * scripts, the merge queue's stream commands and the janitor's index on a 3-master Redis Cluster, and the
 * same through Sentinel with passwords on the data nodes and the Sentinels.
 */
class RedisTopologiesIT {

    @TempDir
    Path dir;

    @BeforeAll
    static void redisServerInstalled() {
        assumeTrue(RedisServerProcess.unavailable().isEmpty(), RedisServerProcess.unavailable().orElse(""));
    }

    @Test
    void aRecordingAndTheMergeQueueWorkOnARedisClusterAcrossItsMasters() {
        LocalRedisCluster cluster = LocalRedisCluster.shared();
        try (RedisConnections redis = new RedisConnections(cluster.config());
             RedisConnection c = redis.connect()) {
            assertTrue(redis.isCluster());
            RecordingStore store = new RecordingStore(c.async(), Clock.systemUTC());
            Set<Integer> masters = new HashSet<>();
            for (int r = 0; r < 12; r++) {
                RecordingId id = RecordingId.of("topology-" + r);
                masters.add(cluster.masterOf(new RecordingKeys(id).meta()));
                recordThree(store, id);
            }
            assertEquals(3, masters.size(), "the recordings' slots are spread over the three masters");
            assertEquals(12, store.listIds(0, 100).join().size(), "the listing index holds all of them");
            MergeQueue queue = new MergeQueue(c.sync());
            queue.ensureGroup();
            store.mergeQueue().enqueue(RecordingId.of("topology-0")).join();
            var job = queue.take("worker", Duration.ofSeconds(30), Duration.ofSeconds(1)).orElseThrow();
            assertEquals("topology-0", job.recordingId().value());
            assertTrue(queue.extend("worker", job));
            queue.ack(job);
            assertTrue(queue.take("worker", Duration.ofSeconds(30), Duration.ofMillis(100)).isEmpty());
            assertNotEquals(SlotHash.getSlot(RecordingKeys.MERGE_JOBS), SlotHash.getSlot(RecordingKeys.OPEN_INDEX));
        }
    }

    @Test
    void aRecordingWorksThroughSentinelWithPasswordsOnTheDataNodesAndTheSentinels() {
        try (LocalRedisSentinel sentinel = LocalRedisSentinel.start(dir, "data-password-for-tests", "sentinel-password-for-tests");
             RedisConnections redis = new RedisConnections(sentinel.config());
             RedisConnection c = redis.connect()) {
            RecordingStore store = new RecordingStore(c.async(), Clock.systemUTC());
            recordThree(store, RecordingId.of("through-sentinel"));
            assertEquals("3", sentinel.onData(0, r -> r.get(new RecordingKeys(RecordingId.of("through-sentinel")).next())),
                    "written to the master the Sentinels name");
        }
    }

    private static void recordThree(RecordingStore store, RecordingId id) {
        Outcomes.StartOutcome started = store.ledger().start(id, "video/mp2t", Mode.SEGMENTS, "").join();
        for (int seq = 0; seq < 3; seq++) {
            Outcomes.Assignment a = store.ledger().assign(id, started.epoch(), seq, SeqMode.EXPLICIT).join();
            assertEquals(seq, a.index());
            store.ledger().commit(id, a.index(), 10).join();
        }
        assertEquals(Outcomes.StopKind.STOPPED, store.ledger().stop(id, started.epoch(), 2L).join().kind());
        assertEquals(30, store.get(id).join().orElseThrow().bytes());
    }
}
