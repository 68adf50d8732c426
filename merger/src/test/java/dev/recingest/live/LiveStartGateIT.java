package dev.recingest.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recingest.events.EventPublisher;
import dev.recingest.merge.MediaFixtures;
import dev.recingest.merge.MergeWorker;
import dev.recingest.merge.TestCluster;
import dev.recingest.protocol.Mode;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.Outcomes;
import dev.recingest.state.RecordingState;
import dev.recingest.state.SeqMode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One merger starts at most {@code RECINGEST_LIVE_MAX_STARTING} renditions at once (here 1, with a 3 s lease).
 * Recording A starts first and sends no chunk yet, so its rendition waits for its first chunk holding the one start
 * slot; B starts right after it and sends chunks at once. B's lease is not taken while A is starting (it stays due
 * in the live index, for this merger's next poll or another merger), but no longer than a lease's time: a recording
 * that sends nothing cannot hold every other start back. Then B is rendered live (segments listed), A too once its
 * chunks come, and both MP4s are staged by their renditions. Without the gate, both leases were taken in the same
 * poll (the benchmark's burst: 100-200 renditions starting at once on 2 cores, BENCHMARKS.md 10.1).
 */
class LiveStartGateIT {

    private static final Duration LEASE = Duration.ofSeconds(3);

    @TempDir
    Path dir;

    @Test
    void aMergerStartsOneRenditionAtATimeAndARecordingWithoutChunksHoldsTheSlotNoLongerThanALease() throws Exception {
        try (TestCluster cluster = new TestCluster(dir)) {
            LiveConfig config = new LiveConfig(true, Duration.ofSeconds(2), 8, 1, LEASE, Duration.ofMillis(100),
                    Duration.ofSeconds(60));
            List<byte[]> chunks = MediaFixtures.readAll(MediaFixtures.tsSegments(Files.createDirectories(dir.resolve("ts")), 8, 1));
            RecordingId a = RecordingId.of("live-gate-a");
            RecordingId b = RecordingId.of("live-gate-b");
            try (MergeWorker merger = MergeWorker.start(cluster.config(dir.resolve("work"), Map.of()), cluster.redis,
                    cluster.recordings, cluster.storage, new SimpleMeterRegistry(), EventPublisher.none(),
                    new LiveOutputs(config, cluster.recordings.liveIndex(), cluster.storage, cluster.storage));
                 LiveWorker live = LiveWorker.start(config, cluster.recordings, cluster.storage, cluster.storage,
                         cluster.storage, EventPublisher.none(), merger.workSpace(), new SimpleMeterRegistry())) {
                long epochA = cluster.recordings.ledger().start(a, "video/mp2t", Mode.SEGMENTS, null).join().epoch();
                long aTaken = awaitHeld(cluster, a);
                long epochB = cluster.recordings.ledger().start(b, "video/mp2t", Mode.SEGMENTS, null).join().epoch();
                // B's chunks come at once and on time; A's only after B's first segment is listed.
                Thread writerB = new Thread(() -> write(cluster, b, epochB, chunks, 300));
                writerB.start();
                long bTaken = awaitHeld(cluster, b);
                assertTrue(bTaken - aTaken >= LEASE.toMillis() - 200,
                        "B's lease was taken " + (bTaken - aTaken) + " ms after A's, while A (no chunk yet) was starting");
                awaitListed(cluster, b);
                write(cluster, a, epochA, chunks, 0);
                writerB.join();
                for (RecordingId id : List.of(a, b)) {
                    long epoch = id.equals(a) ? epochA : epochB;
                    cluster.recordings.ledger().stop(id, epoch, (long) chunks.size() - 1).join();
                    cluster.recordings.mergeQueue().enqueue(id).join();
                }
                for (RecordingId id : List.of(a, b)) {
                    var rec = cluster.awaitState(id, Set.of(RecordingState.COMPLETED, RecordingState.FAILED), Duration.ofSeconds(90));
                    assertEquals(RecordingState.COMPLETED, rec.state(), id.value());
                    Map<String, String> status = cluster.recordings.liveIndex().status(id).join();
                    assertNotNull(status.get("finalAt"), id + ": the rendition staged the MP4 the merge published: " + status);
                    assertEquals(Integer.toString(chunks.size()), status.get("chunks"), id + ": chunks the rendition read");
                }
            }
        }
    }

    /** When the recording's live lease was first seen held (epoch ms). */
    private static long awaitHeld(TestCluster cluster, RecordingId id) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (cluster.recordings.liveIndex().held(id).join()) {
                return System.currentTimeMillis();
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no worker took the live lease of " + id);
    }

    private static void awaitListed(TestCluster cluster, RecordingId id) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (Integer.parseInt(cluster.recordings.liveIndex().status(id).join().getOrDefault("segments", "0")) > 0) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no segment of " + id + " was listed");
    }

    private static void write(TestCluster cluster, RecordingId id, long epoch, List<byte[]> chunks, long pauseMs) {
        try {
            for (int seq = 0; seq < chunks.size(); seq++) {
                Outcomes.Assignment asg = cluster.recordings.ledger().assign(id, epoch, seq, SeqMode.EXPLICIT).join();
                cluster.put(id, asg.index(), chunks.get(seq));
                cluster.recordings.ledger().commit(id, asg.index(), chunks.get(seq).length).join();
                Thread.sleep(pauseMs);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
