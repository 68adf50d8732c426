package dev.recingest.merge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recingest.protocol.Mode;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.MergeQueue;
import dev.recingest.state.Recording;
import dev.recingest.state.RecordingKeys;
import dev.recingest.state.RecordingState;
import dev.recingest.storage.ChunkStore;
import dev.recingest.testkit.Waits;
import io.lettuce.core.Consumer;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XReadArgs;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * Issue 10, item 8: a bad recording fails fast and visibly (an error code and message on the recording, a
 * metric, a log line) and never holds up the others; the queue and the merger's disk do not collect
 * leftovers. Real Redis, S3 server and FFmpeg.
 */
class MergeFailFastIT extends OnTestCluster {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Set<RecordingState> DONE = Set.of(RecordingState.COMPLETED, RecordingState.FAILED);

    /** The worker of {@link OnTestCluster}, built as {@link #startWorker(Map, ChunkStore)} builds it. */
    @Override
    void startWorker(Map<String, String> settings) {
        startWorker(settings, cluster.storage);
    }

    private void startWorker(Map<String, String> settings, ChunkStore chunkStore) {
        registry = new SimpleMeterRegistry();
        MergerConfig config = cluster.config(dir.resolve("work"), settings);
        worker = new MergeWorker(config, cluster.redis, RecordingMerger.create(config, cluster.recordings, chunkStore,
                cluster.storage, cluster.storage.keys(), registry));
        worker.start();
    }

    @Test
    void mediaFfmpegRefusesFailsOnTheFirstAttempt() throws Exception {
        RecordingId id = RecordingId.of("no-parameter-sets");
        List<byte[]> bad = MediaFixtures.byteRanges(MediaFixtures.tsWithoutParameterSets(
                Files.createDirectories(dir.resolve("bad")), 4), 64 << 10);
        cluster.record(id, "video/mp2t", Mode.SEGMENTS, null, bad);
        startWorker(Map.of("RECINGEST_MERGE_VISIBILITY_TIMEOUT", "3s"));
        cluster.recordings.mergeQueue().enqueue(id).join();

        Recording rec = cluster.awaitState(id, Set.of(RecordingState.FAILED), WAIT);
        // Running FFmpeg again over the same bytes fails the same way: one attempt, not three.
        Thread.sleep(4000);
        rec = cluster.recordings.get(id).join().orElseThrow();
        assertEquals(RecordingState.FAILED, rec.state());
        assertEquals(1, rec.mergeAttempts(), "not retried");
        assertEquals("FFMPEG_FAILED", rec.errorCode());
        assertTrue(rec.errorMessage().contains("dimensions not set"), "FFmpeg's own reason: " + rec.errorMessage());
        assertEquals(1.0, registry.get("recingest.merge.failures").tag("code", "FFMPEG_FAILED").counter().count());
        assertEquals(0, cluster.pendingJobs());
    }

    @Test
    void ffmpegPastItsTimeLimitIsStoppedAndNotRetried() throws Exception {
        RecordingId id = RecordingId.of("too-slow");
        List<byte[]> twenty = MediaFixtures.readAll(MediaFixtures.tsSegments(
                Files.createDirectories(dir.resolve("twenty")), 20, 1));
        cluster.record(id, "video/mp2t", Mode.SEGMENTS, null, twenty);
        // FFmpeg's run takes at least as long as its input takes to arrive: chunk 15 (past the first MiB, which
        // is probed before FFmpeg starts) takes 6 s, well within the chunk timeout, against a limit of one
        // second (the minimum speed is so high that the recording's length adds nothing to it).
        startWorker(Map.of("RECINGEST_MERGE_VISIBILITY_TIMEOUT", "3s", "RECINGEST_MERGE_FFMPEG_TIMEOUT", "1s",
                "RECINGEST_MERGE_FFMPEG_MIN_SPEED", "1000000"), slowFor(id, 15, Duration.ofSeconds(6)));
        cluster.recordings.mergeQueue().enqueue(id).join();

        cluster.awaitState(id, Set.of(RecordingState.FAILED), WAIT);
        Thread.sleep(4000);
        Recording rec = cluster.recordings.get(id).join().orElseThrow();
        assertEquals(RecordingState.FAILED, rec.state());
        assertEquals("FFMPEG_TIMEOUT", rec.errorCode(), rec.errorMessage());
        assertTrue(rec.errorMessage().startsWith("ffmpeg did not finish within PT1"), rec.errorMessage());
        assertEquals(1, rec.mergeAttempts(), "not retried");
        assertEquals(1.0, registry.get("recingest.merge.failures").tag("code", "FFMPEG_TIMEOUT").counter().count());
    }

    @Test
    void jobsWithoutAValidRecordingIdAreDroppedOnce() throws Exception {
        var redis = cluster.redisSync();
        new MergeQueue(redis).ensureGroup();
        redis.xadd(RecordingKeys.MERGE_JOBS, Map.of("recordingId", "../../etc/passwd"));
        redis.xadd(RecordingKeys.MERGE_JOBS, Map.of("somethingElse", "x"));
        RecordingId id = RecordingId.of("after-poison");
        cluster.record(id, "video/mp2t", Mode.SEGMENTS, null, chunks);
        cluster.recordings.mergeQueue().enqueue(id).join();
        startWorker(Map.of("RECINGEST_MERGE_VISIBILITY_TIMEOUT", "3s"));

        Recording rec = cluster.awaitState(id, DONE, WAIT);
        assertEquals(RecordingState.COMPLETED, rec.state(), () -> rec.errorCode() + ": " + rec.errorMessage());
        await(() -> registry.get("recingest.merge.jobs").tag("outcome", "rejected").counter().count() == 2.0,
                "both unreadable jobs are counted");
        // Past a visibility timeout: nothing comes back.
        Thread.sleep(4000);
        assertEquals(0, cluster.pendingJobs(), "nothing pending");
        assertEquals(0, redis.xlen(RecordingKeys.MERGE_JOBS), "the stream is empty");
        assertEquals(2.0, registry.get("recingest.merge.jobs").tag("outcome", "rejected").counter().count());
    }

    @Test
    void consumersOfDeadMergersLeaveTheGroup() throws Exception {
        var redis = cluster.redisSync();
        new MergeQueue(redis).ensureGroup();
        redis.xgroupCreateconsumer(RecordingKeys.MERGE_JOBS, Consumer.from(MergeQueue.GROUP, "dead-merger-0"));
        // One of them died holding a job: it is taken over first, then its consumer can go too.
        RecordingId id = RecordingId.of("held-by-the-dead");
        cluster.record(id, "video/mp2t", Mode.SEGMENTS, null, chunks);
        cluster.recordings.mergeQueue().enqueue(id).join();
        List<StreamMessage<String, String>> taken = redis.xreadgroup(Consumer.from(MergeQueue.GROUP, "dead-merger-1"),
                XReadArgs.Builder.count(1), XReadArgs.StreamOffset.lastConsumed(RecordingKeys.MERGE_JOBS));
        assertEquals(1, taken.size());

        startWorker(Map.of("RECINGEST_MERGE_VISIBILITY_TIMEOUT", "3s"));
        Recording rec = cluster.awaitState(id, DONE, WAIT);
        assertEquals(RecordingState.COMPLETED, rec.state(), () -> rec.errorCode() + ": " + rec.errorMessage());
        await(() -> consumers().stream().noneMatch(c -> c.startsWith("dead-merger-")),
                "the dead consumers are removed (now: " + consumers() + ")");
        assertTrue(consumers().size() >= 1, "the live worker's consumers stay: " + consumers());
    }

    @Test
    void aLongMergeDoesNotHoldUpAShortOneWithTheDefaults() throws Exception {
        RecordingId slow = RecordingId.of("long-running");
        RecordingId quick = RecordingId.of("short-behind-long");
        cluster.record(slow, "video/mp2t", Mode.SEGMENTS, null, chunks);
        cluster.record(quick, "video/mp2t", Mode.SEGMENTS, null, chunks);
        startWorker(Map.of(), slowFor(slow, 1, Duration.ofSeconds(15)));
        cluster.recordings.mergeQueue().enqueue(slow).join();
        cluster.awaitState(slow, Set.of(RecordingState.MERGING), WAIT);
        cluster.recordings.mergeQueue().enqueue(quick).join();

        Recording rec = cluster.awaitState(quick, DONE, WAIT);
        assertEquals(RecordingState.COMPLETED, rec.state(), () -> rec.errorCode() + ": " + rec.errorMessage());
        assertEquals(RecordingState.MERGING, cluster.recordings.get(slow).join().orElseThrow().state(),
                "the short one completed while the long one was still merging");
        cluster.awaitState(slow, DONE, WAIT);
    }

    @Test
    void aMergeThatDoesNotFitTheDiskNowWaitsWithoutUsingAnAttempt() throws Exception {
        RecordingId id = RecordingId.of("no-room-yet");
        cluster.record(id, "video/mp2t", Mode.SEGMENTS, null, chunks);
        FileStore disk = Files.getFileStore(Files.createDirectories(dir.resolve("work")));
        // Keep free more than is free now (but far less than the disk): nothing fits now, a merge would later.
        long keepFree = disk.getUsableSpace() + (disk.getTotalSpace() - disk.getUsableSpace()) / 2;
        startWorker(Map.of("RECINGEST_MERGE_VISIBILITY_TIMEOUT", "3s", "RECINGEST_MERGE_MIN_FREE_DISK",
                Long.toString(keepFree)));
        cluster.recordings.mergeQueue().enqueue(id).join();
        await(() -> registry.get("recingest.merge.jobs").tag("outcome", "deferred").counter().count() >= 2,
                "the job is deferred, and deferred again after the visibility timeout");
        Recording waiting = cluster.recordings.get(id).join().orElseThrow();
        assertEquals(RecordingState.STOPPED, waiting.state());
        assertEquals(0, waiting.mergeAttempts(), "waiting for room costs no attempt");
        assertEquals(1, cluster.pendingJobs());

        // Room again (here: a merger that keeps the default free): the job merges at once.
        worker.close();
        startWorker(Map.of("RECINGEST_MERGE_VISIBILITY_TIMEOUT", "3s"));
        Recording rec = cluster.awaitState(id, DONE, WAIT);
        assertEquals(RecordingState.COMPLETED, rec.state(), () -> rec.errorCode() + ": " + rec.errorMessage());
        assertEquals(1, rec.mergeAttempts());
    }

    @Test
    void aMergeThatCanNeverFitTheDiskFailsWithNoSpace() throws Exception {
        RecordingId id = RecordingId.of("never-fits");
        cluster.record(id, "video/mp2t", Mode.SEGMENTS, null, chunks);
        long disk = Files.getFileStore(Files.createDirectories(dir.resolve("work"))).getTotalSpace();
        startWorker(Map.of("RECINGEST_MERGE_VISIBILITY_TIMEOUT", "3s", "RECINGEST_MERGE_MAX_ATTEMPTS", "2",
                "RECINGEST_MERGE_MIN_FREE_DISK", Long.toString(disk)));
        cluster.recordings.mergeQueue().enqueue(id).join();
        Recording rec = cluster.awaitState(id, DONE, WAIT);
        assertEquals(RecordingState.FAILED, rec.state());
        assertEquals("NO_SPACE", rec.errorCode(), rec.errorMessage());
        assertTrue(rec.errorMessage().contains("RECINGEST_MERGE_WORK_DIR"), rec.errorMessage());
        assertEquals(Optional.empty(), cluster.storage.size(cluster.storage.keys().output(id)).join());
    }

    private List<String> consumers() {
        return cluster.redisSync().xinfoConsumers(RecordingKeys.MERGE_JOBS, MergeQueue.GROUP).stream()
                .map(c -> {
                    @SuppressWarnings("unchecked")
                    List<Object> fields = (List<Object>) c;
                    for (int i = 0; i + 1 < fields.size(); i += 2) {
                        if ("name".equals(String.valueOf(fields.get(i)))) {
                            return String.valueOf(fields.get(i + 1));
                        }
                    }
                    return "?";
                }).toList();
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        Waits.until(condition, WAIT, what);
    }

    /** The real chunk store, except that each read of {@code id}'s chunk {@code index} takes {@code delay}. */
    private ChunkStore slowFor(RecordingId id, long index, Duration delay) {
        return cluster.chunksReadBy((r, i) -> r.equals(id) && i == index
                ? cluster.storage.getChunk(r, i).thenApplyAsync(b -> b,
                        CompletableFuture.delayedExecutor(delay.toMillis(), TimeUnit.MILLISECONDS))
                : cluster.storage.getChunk(r, i));
    }
}
