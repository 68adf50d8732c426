package dev.recingest.merge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recingest.protocol.ErrorCode;
import dev.recingest.protocol.Mode;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.RecordingState;
import dev.recingest.state.RedisFailures;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, item 5: the merger classifies a Redis outage the way the gateway does ({@link RedisFailures}):
 * STORAGE_UNAVAILABLE, retryable, rather than INTERNAL (which the merger logs with a stack trace as a fault of
 * its own, and which a FAILED recording would carry as {@code errorCode}). A real Redis is killed in the middle of
 * a job's Redis reads (every Redis call of a merge goes through {@link Await#within}) and started again.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MergeRedisOutageIT {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    static Path dir;

    private TestCluster cluster;

    @BeforeAll
    void servers() {
        cluster = new TestCluster(dir);
    }

    @AfterAll
    void stopServers() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aRedisOutageMidJobIsStorageUnavailableAndRetryableNotInternal() throws Exception {
        RecordingId id = RecordingId.of("redis-outage");
        cluster.record(id, "video/mp2t", Mode.SEGMENTS, null, List.of(new byte[] {1, 2, 3}));
        // The job has read its record (what the merger admits a job with) ...
        assertEquals(RecordingState.STOPPED, Await.within(cluster.recordings.get(id), WAIT).orElseThrow().state());
        cluster.backend.servers.redisServer().stop(); // ... when Redis goes away (SIGKILL)
        try {
            MergeFailure f = assertThrows(MergeFailure.class,
                    () -> Await.within(cluster.recordings.storedChunks(id), WAIT));
            assertEquals(MergeError.STORAGE_UNAVAILABLE, f.error(), f::toString);
            assertTrue(f.retryable());
            assertEquals(ErrorCode.STORAGE_UNAVAILABLE, RedisFailures.classify(f.getCause()).code(),
                    "the gateway's classification of the same failure");
        } finally {
            cluster.backend.servers.redisServer().start();
        }
        // Retrying is right: once Redis is back (the client reconnects by itself) the same read succeeds.
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            try {
                assertEquals(1, Await.within(cluster.recordings.storedChunks(id), WAIT).size());
                break;
            } catch (MergeFailure notYet) {
                assertEquals(MergeError.STORAGE_UNAVAILABLE, notYet.error(), notYet::toString);
                assertTrue(System.nanoTime() < deadline, "Redis did not come back: " + notYet);
                Thread.sleep(100);
            }
        }
    }
}
