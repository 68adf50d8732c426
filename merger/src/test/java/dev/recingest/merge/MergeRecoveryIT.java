package dev.recingest.merge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recingest.protocol.ErrorCode;
import dev.recingest.protocol.IngestException;
import dev.recingest.protocol.Mode;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.MetaFields;
import dev.recingest.state.MergeQueue;
import dev.recingest.state.Recording;
import dev.recingest.state.RecordingState;
import dev.recingest.state.RedisConnection;
import dev.recingest.storage.ChunkStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * What happens when things go wrong around a merge: storage down (retries with the visibility timeout
 * as backoff, then FAILED), a worker that died holding a job (another one takes it over), leases.
 */
class MergeRecoveryIT extends OnTestCluster {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Set<RecordingState> DONE = Set.of(RecordingState.COMPLETED, RecordingState.FAILED);

    @Test
    void storageOutageIsRetriedUntilTheLimitThenFailsAndRemergeRecovers() throws Exception {
        RecordingId id = RecordingId.of("outage");
        cluster.record(id, "video/mp2t", Mode.SEGMENTS, null, chunks);
        startWorker(Map.of("RECINGEST_MERGE_VISIBILITY_TIMEOUT", "3s", "RECINGEST_MERGE_MAX_ATTEMPTS", "2"));
        cluster.backend.servers.s3Server().stop();
        try {
            cluster.recordings.mergeQueue().enqueue(id).join();
            Recording failed = cluster.awaitState(id, Set.of(RecordingState.FAILED), WAIT);
            assertEquals("STORAGE_UNAVAILABLE", failed.errorCode());
            assertTrue(failed.errorMessage().endsWith("(attempt 2 of 2)"), failed.errorMessage());
            assertEquals(2, failed.mergeAttempts());
            // The worker records its metric just after the FAILED transition this test saw: wait for it.
            awaitCount("retried", 1.0);
            awaitCount("failed", 1.0);
        } finally {
            cluster.backend.servers.s3Server().start();
        }
        assertTrue(cluster.remerge(id));
        Recording rec = cluster.awaitState(id, DONE, WAIT);
        assertEquals(RecordingState.COMPLETED, rec.state(), () -> rec.errorCode() + ": " + rec.errorMessage());
        assertEquals(4.0, cluster.probeOutput(id, dir).durationSeconds(), 0.5);
    }

    private void awaitCount(String outcome, double expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (registry.get("recingest.merge.jobs").tag("outcome", outcome).counter().count() != expected
                && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(expected, registry.get("recingest.merge.jobs").tag("outcome", outcome).counter().count(), outcome);
    }

    @Test
    void aJobLeftByADeadWorkerIsTakenOverAfterTheVisibilityTimeout() throws Exception {
        RecordingId id = RecordingId.of("orphan");
        cluster.record(id, "video/mp2t", Mode.SEGMENTS, null, chunks);
        cluster.recordings.mergeQueue().enqueue(id).join();
        // A worker takes the job, moves the recording to MERGING, counts its attempt, and dies.
        try (RedisConnection c = cluster.redis.connect()) {
            MergeQueue queue = new MergeQueue(c.sync());
            queue.ensureGroup();
            assertEquals(id, queue.take("dead-worker", Duration.ofSeconds(3), Duration.ofSeconds(1))
                    .orElseThrow().recordingId());
        }
        assertTrue(cluster.recordings.transition(id, EnumSet.of(RecordingState.STOPPED), RecordingState.MERGING,
                Map.of()).join().ok());
        cluster.recordings.increment(id, "mergeAttempts").join();

        long started = System.nanoTime();
        startWorker(Map.of("RECINGEST_MERGE_VISIBILITY_TIMEOUT", "3s"));
        Recording rec = cluster.awaitState(id, DONE, WAIT);
        assertEquals(RecordingState.COMPLETED, rec.state(), () -> rec.errorCode() + ": " + rec.errorMessage());
        assertEquals(2, rec.mergeAttempts());
        assertTrue(Duration.ofNanos(System.nanoTime() - started).compareTo(Duration.ofMillis(2500)) > 0,
                "not taken before the visibility timeout");
        Thread.sleep(300);
        assertEquals(0, cluster.pendingJobs());
    }

    @Test
    void aDuplicateJobWaitsForTheMergeInProgressInsteadOfCompetingWithIt() throws Exception {
        RecordingId id = RecordingId.of("duplicate");
        cluster.record(id, "video/mp2t", Mode.SEGMENTS, null, chunks);
        // Another worker is merging it (attempt 1, lease live for a minute) when a second job arrives.
        assertTrue(cluster.recordings.transition(id, EnumSet.of(RecordingState.STOPPED), RecordingState.MERGING,
                Map.of("mergeAttempts", "1", MetaFields.MERGE_LEASE_UNTIL,
                        Long.toString(System.currentTimeMillis() + 60_000))).join().ok());
        cluster.recordings.mergeQueue().enqueue(id).join();
        startWorker(Map.of("RECINGEST_MERGE_VISIBILITY_TIMEOUT", "3s"));
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (registry.get("recingest.merge.jobs").tag("outcome", "skipped").counter().count() < 1) {
            assertTrue(System.nanoTime() < deadline);
            Thread.sleep(50);
        }
        Recording waiting = cluster.recordings.get(id).join().orElseThrow();
        assertEquals(RecordingState.MERGING, waiting.state());
        assertEquals(1, waiting.mergeAttempts(), "no competing attempt");
        assertEquals(1, cluster.pendingJobs(), "the duplicate stays pending");

        // The other worker dies: its lease runs out, and the pending job takes over.
        assertTrue(cluster.recordings.transition(id, EnumSet.of(RecordingState.MERGING), RecordingState.MERGING,
                Map.of(MetaFields.MERGE_LEASE_UNTIL, Long.toString(System.currentTimeMillis()))).join().ok());
        Recording rec = cluster.awaitState(id, DONE, WAIT);
        assertEquals(RecordingState.COMPLETED, rec.state(), () -> rec.errorCode() + ": " + rec.errorMessage());
        assertEquals(2, rec.mergeAttempts());
    }

    @Test
    void attemptsUsedUpByDeadWorkersFailTheRecording() throws Exception {
        RecordingId id = RecordingId.of("cursed");
        cluster.record(id, "video/mp2t", Mode.SEGMENTS, null, chunks);
        assertTrue(cluster.recordings.transition(id, EnumSet.of(RecordingState.STOPPED), RecordingState.MERGING,
                Map.of("mergeAttempts", "3")).join().ok());
        cluster.recordings.mergeQueue().enqueue(id).join();
        startWorker(Map.of());
        Recording rec = cluster.awaitState(id, DONE, WAIT);
        assertEquals(RecordingState.FAILED, rec.state());
        assertEquals("WORKER_LOST", rec.errorCode());
        assertEquals(Optional.empty(), cluster.storage.size(cluster.storage.keys().output(id)).join());
    }

    @Test
    void aRenewedLeaseKeepsTheJobAndALostOneIsNoticed() throws Exception {
        RecordingId id = RecordingId.of("leased");
        cluster.recordings.mergeQueue().enqueue(id).join();
        try (RedisConnection a = cluster.redis.connect();
             RedisConnection b = cluster.redis.connect()) {
            MergeQueue qa = new MergeQueue(a.sync());
            MergeQueue qb = new MergeQueue(b.sync());
            qa.ensureGroup();
            Duration visibility = Duration.ofMillis(800);
            MergeQueue.Job job = qa.take("a", visibility, Duration.ofMillis(200)).orElseThrow();
            for (int i = 0; i < 4; i++) {
                Thread.sleep(400);
                assertTrue(qa.extend("a", job));
                assertEquals(Optional.empty(), qb.take("b", visibility, Duration.ofMillis(10)), "renewed: not idle");
            }
            Thread.sleep(1000);
            MergeQueue.Job taken = qb.take("b", visibility, Duration.ofMillis(10)).orElseThrow();
            assertEquals(job.messageId(), taken.messageId());
            assertFalse(qa.extend("a", job), "the job now belongs to b");
            assertTrue(qb.extend("b", taken));
            qb.ack(taken);
            assertFalse(qb.extend("b", taken), "acked: nothing to renew");
        }
    }

    /**
     * Storage whose first read of one chunk fails. Each chunk is read once per attempt (the probe's chunks
     * are handed on to FFmpeg, not read again), so this is the attempt's only read of it; a later attempt
     * reads it again and succeeds.
     */
    private ChunkStore failingOnFirstRead(long index, ErrorCode code) {
        AtomicInteger reads = new AtomicInteger();
        return cluster.chunksReadBy((id, i) -> i == index && reads.incrementAndGet() == 1
                ? CompletableFuture.failedFuture(new IngestException(code, "injected"))
                : cluster.storage.getChunk(id, i));
    }

    /** Storage whose first read of one chunk takes {@code delay}: a merge that is busy for that long. */
    private ChunkStore slowOnFirstRead(long index, Duration delay) {
        AtomicInteger reads = new AtomicInteger();
        return cluster.chunksReadBy((id, i) -> i == index && reads.incrementAndGet() == 1
                ? cluster.storage.getChunk(id, i).thenApplyAsync(b -> b,
                        CompletableFuture.delayedExecutor(delay.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS))
                : cluster.storage.getChunk(id, i));
    }

    @Test
    void aChunkLostWhileStreamingFailsWithoutAPartialOutput() throws Exception {
        RecordingId id = RecordingId.of("lost-mid-stream");
        cluster.record(id, "video/mp2t", Mode.SEGMENTS, null, chunks);
        MergerConfig config = cluster.config(dir.resolve("work"), Map.of());
        RecordingMerger merger = RecordingMerger.create(config, cluster.recordings,
                failingOnFirstRead(2, ErrorCode.NOT_FOUND), cluster.storage, cluster.storage.keys(),
                new SimpleMeterRegistry());
        assertEquals(RecordingMerger.Disposition.ACK, merger.process(id, Lease.unmanaged()));
        Recording rec = cluster.recordings.get(id).join().orElseThrow();
        assertEquals(RecordingState.FAILED, rec.state());
        assertEquals("MISSING_CHUNKS", rec.errorCode());
        assertEquals("chunks missing from storage: [2]", rec.errorMessage());
        assertEquals(Optional.empty(), cluster.storage.size(cluster.storage.keys().output(id)).join());
        try (var work = Files.list(dir.resolve("work"))) {
            assertEquals(0, work.filter(p -> p.getFileName().toString().startsWith(id.value())).count(),
                    "the attempt's work directory is gone");
        }
    }

    @Test
    void aStorageErrorWhileStreamingLeavesTheJobForARetry() throws Exception {
        RecordingId id = RecordingId.of("flaky-mid-stream");
        cluster.record(id, "video/mp2t", Mode.SEGMENTS, null, chunks);
        MergerConfig config = cluster.config(dir.resolve("work"), Map.of());
        RecordingMerger merger = RecordingMerger.create(config, cluster.recordings,
                failingOnFirstRead(2, ErrorCode.STORAGE_UNAVAILABLE), cluster.storage, cluster.storage.keys(),
                new SimpleMeterRegistry());
        assertEquals(RecordingMerger.Disposition.LEAVE_PENDING, merger.process(id, Lease.unmanaged()));
        assertEquals(RecordingState.MERGING, cluster.recordings.get(id).join().orElseThrow().state());
        assertEquals(Optional.empty(), cluster.storage.size(cluster.storage.keys().output(id)).join());
        // The next attempt reads every chunk and completes.
        assertEquals(RecordingMerger.Disposition.ACK, merger.process(id, Lease.unmanaged()));
        Recording rec = cluster.recordings.get(id).join().orElseThrow();
        assertEquals(RecordingState.COMPLETED, rec.state());
        assertEquals(2, rec.mergeAttempts());
    }

    @Test
    void anAttemptThatLostItsLeaseDoesNotPublish() throws Exception {
        RecordingId id = RecordingId.of("stale-attempt");
        cluster.record(id, "video/mp2t", Mode.SEGMENTS, null, chunks);
        RecordingMerger merger = RecordingMerger.create(cluster.config(dir.resolve("work"), Map.of()),
                cluster.recordings, cluster.storage, cluster.storage, cluster.storage.keys(), new SimpleMeterRegistry());
        Lease lost = new Lease();
        lost.lose();
        assertEquals(RecordingMerger.Disposition.LEAVE_PENDING, merger.process(id, lost));
        assertEquals(Optional.empty(), cluster.storage.size(cluster.storage.keys().output(id)).join());
        assertEquals(RecordingState.MERGING, cluster.recordings.get(id).join().orElseThrow().state());
    }

    @Test
    void aMergeLongerThanTheVisibilityTimeoutKeepsItsJob() throws Exception {
        RecordingId id = RecordingId.of("long-merge");
        cluster.record(id, "video/mp2t", Mode.SEGMENTS, null, chunks);
        // Two threads: without lease renewals the idle one would claim the job after 3 s and merge it again.
        MergerConfig config = cluster.config(dir.resolve("work"),
                Map.of("RECINGEST_MERGE_VISIBILITY_TIMEOUT", "3s", "RECINGEST_MERGE_WORKERS", "2"));
        registry = new SimpleMeterRegistry();
        worker = new MergeWorker(config, cluster.redis, RecordingMerger.create(config, cluster.recordings,
                slowOnFirstRead(2, Duration.ofSeconds(7)), cluster.storage, cluster.storage.keys(), registry));
        worker.start();
        cluster.recordings.mergeQueue().enqueue(id).join();
        Recording rec = cluster.awaitState(id, DONE, WAIT);
        assertEquals(RecordingState.COMPLETED, rec.state(), () -> rec.errorCode() + ": " + rec.errorMessage());
        assertEquals(1, rec.mergeAttempts(), "one attempt, never taken over");
        assertEquals(0.0, registry.get("recingest.merge.jobs").tag("outcome", "skipped").counter().count());
    }

    @Test
    void closeDuringAMergeKillsItAndLeavesTheJobForAnotherWorker() throws Exception {
        RecordingId id = RecordingId.of("interrupted");
        cluster.record(id, "video/mp2t", Mode.SEGMENTS, null, chunks);
        MergerConfig config = cluster.config(dir.resolve("work"),
                Map.of("RECINGEST_MERGE_VISIBILITY_TIMEOUT", "3s", "RECINGEST_MERGE_SHUTDOWN_TIMEOUT", "1s"));
        MergeWorker slow = new MergeWorker(config, cluster.redis, RecordingMerger.create(config, cluster.recordings,
                slowOnFirstRead(2, Duration.ofSeconds(20)), cluster.storage, cluster.storage.keys(),
                new SimpleMeterRegistry()));
        slow.start();
        cluster.recordings.mergeQueue().enqueue(id).join();
        cluster.awaitState(id, Set.of(RecordingState.MERGING), WAIT);
        Thread.sleep(500);
        long started = System.nanoTime();
        slow.close();
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertTrue(took.compareTo(Duration.ofSeconds(5)) < 0, "close took " + took);
        assertEquals(RecordingState.MERGING, cluster.recordings.get(id).join().orElseThrow().state());
        assertEquals(1, cluster.pendingJobs(), "the job is not acked");

        startWorker(Map.of("RECINGEST_MERGE_VISIBILITY_TIMEOUT", "3s"));
        Recording rec = cluster.awaitState(id, DONE, WAIT);
        assertEquals(RecordingState.COMPLETED, rec.state(), () -> rec.errorCode() + ": " + rec.errorMessage());
        assertEquals(2, rec.mergeAttempts());
    }

    @Test
    void closeStopsAnIdleWorkerWithinThePollTime() {
        startWorker(Map.of("RECINGEST_MERGE_POLL", "1s"));
        long started = System.nanoTime();
        worker.close();
        worker = null;
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertTrue(took.compareTo(Duration.ofMillis(1800)) < 0, "close took " + took);
    }
}
