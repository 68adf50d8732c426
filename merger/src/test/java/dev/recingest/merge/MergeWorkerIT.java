package dev.recingest.merge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recingest.protocol.Json;
import dev.recingest.protocol.Mode;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.Recording;
import dev.recingest.state.RecordingState;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The merger against a real Redis, a real S3 protocol server and real FFmpeg: recordings go in the way
 * the gateway stores them, and what comes out is checked the way a user would check it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MergeWorkerIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Set<RecordingState> DONE = Set.of(RecordingState.COMPLETED, RecordingState.FAILED);

    @TempDir
    static Path dir;

    private TestCluster cluster;
    private SimpleMeterRegistry registry;
    private MergeWorker worker;

    @BeforeAll
    void servers() {
        cluster = new TestCluster(dir);
    }

    @AfterAll
    void stopServers() {
        cluster.close();
    }

    private void startWorker(Map<String, String> settings) {
        registry = new SimpleMeterRegistry();
        worker = cluster.startWorker(dir.resolve("work"), settings, registry);
    }

    @AfterEach
    void stopWorker() {
        if (worker != null) {
            worker.close();
            worker = null;
        }
    }

    @Test
    void streamModeMediaRecorderWebmBecomesOneMp4() throws Exception {
        startWorker(Map.of());
        RecordingId id = RecordingId.of("webm-stream");
        Path source = MediaFixtures.mediaRecorderWebm(Files.createDirectories(dir.resolve("a")), 20);
        List<byte[]> chunks = MediaFixtures.byteRanges(source, 64 * 1024);
        cluster.record(id, "video/webm;codecs=vp8,opus", Mode.STREAM, "{\"room\":\"42\"}", chunks);
        cluster.recordings.mergeQueue().enqueue(id).join();

        Recording rec = cluster.awaitState(id, DONE, WAIT);
        assertEquals(RecordingState.COMPLETED, rec.state(), () -> rec.errorCode() + ": " + rec.errorMessage());
        MediaInfo out = cluster.probeOutput(id, dir);
        assertEquals("h264", out.firstVideo().orElseThrow().codecName(), "VP8 cannot go into MP4 as it is");
        assertEquals(320, out.firstVideo().orElseThrow().width());
        assertEquals("opus", out.firstAudio().orElseThrow().codecName(), "Opus is copied");
        assertEquals(20.0, out.durationSeconds(), 0.5);
        TestCluster.assertSeeksToTheMiddle(id, dir, out);
        assertEquals(cluster.storage.keys().output(id), rec.outputKey());
        assertEquals(cluster.storage.size(rec.outputKey()).join().orElseThrow(), rec.outputSize());
        assertEquals(out.durationSeconds(), rec.durationSeconds(), 0.01);

        JsonNode manifest = manifest(id);
        assertManifestLists(manifest, chunks);
        assertEquals("stream", manifest.get("mode").asText());
        assertEquals("video/webm;codecs=vp8,opus", manifest.get("contentType").asText());
        assertEquals("42", manifest.get("metadata").get("room").asText());
        assertEquals(rec.outputSize(), manifest.get("output").get("size").asLong());
        assertEquals(2, manifest.get("output").get("streams").size());
        assertNotNull(manifest.get("stoppedAt").asText());
        assertTrue(manifest.get("void").isEmpty());
        awaitOutcome("completed", 1.0); // counted just after the state is written
        assertEquals(1.0, registry.get("recingest.merge.jobs").tag("outcome", "completed").counter().count());
        assertEquals(chunks.stream().mapToLong(c -> c.length).sum(),
                registry.get("recingest.merge.input").counter().count());

        // A second job for a completed recording changes nothing and is acked.
        cluster.recordings.mergeQueue().enqueue(id).join();
        awaitSkipped(1);
        assertEquals(RecordingState.COMPLETED, cluster.recordings.get(id).join().orElseThrow().state());
        assertEquals(0, cluster.pendingJobs());
    }

    @Test
    void streamModeFragmentedMp4IsCopied() throws Exception {
        startWorker(Map.of());
        RecordingId id = RecordingId.of("fmp4-stream");
        Path source = MediaFixtures.fragmentedMp4(Files.createDirectories(dir.resolve("e")), 10);
        List<byte[]> chunks = MediaFixtures.byteRanges(source, 64 * 1024);
        cluster.record(id, "video/mp4;codecs=avc1,mp4a", Mode.STREAM, null, chunks);
        cluster.recordings.mergeQueue().enqueue(id).join();

        Recording rec = cluster.awaitState(id, DONE, WAIT);
        assertEquals(RecordingState.COMPLETED, rec.state(), () -> rec.errorCode() + ": " + rec.errorMessage());
        MediaInfo out = cluster.probeOutput(id, dir);
        assertEquals("h264", out.firstVideo().orElseThrow().codecName());
        assertEquals("aac", out.firstAudio().orElseThrow().codecName());
        assertEquals(10.0, out.durationSeconds(), 0.5);
        TestCluster.assertSeeksToTheMiddle(id, dir, out);
        assertManifestLists(manifest(id), chunks);
    }

    @Test
    void sixtyTsSegmentsJoinWithoutDrift() throws Exception {
        startWorker(Map.of());
        RecordingId id = RecordingId.of("ts-segments");
        List<Path> files = MediaFixtures.tsSegments(Files.createDirectories(dir.resolve("b")), 60, 1);
        assertTrue(files.size() >= 60, "segments: " + files.size());
        List<byte[]> chunks = MediaFixtures.readAll(files);
        cluster.record(id, "video/mp2t", Mode.SEGMENTS, null, chunks);
        cluster.recordings.mergeQueue().enqueue(id).join();

        Recording rec = cluster.awaitState(id, DONE, WAIT);
        assertEquals(RecordingState.COMPLETED, rec.state(), () -> rec.errorCode() + ": " + rec.errorMessage());
        MediaInfo out = cluster.probeOutput(id, dir);
        assertEquals("h264", out.firstVideo().orElseThrow().codecName());
        assertEquals("aac", out.firstAudio().orElseThrow().codecName());
        assertEquals(60.0, out.durationSeconds(), 0.5);
        TestCluster.assertSeeksToTheMiddle(id, dir, out);
        assertManifestLists(manifest(id), chunks);
    }

    @Test
    void mp4SegmentsJoinWithTheirDurations() throws Exception {
        startWorker(Map.of("RECINGEST_KEEP_CHUNKS", "false"));
        RecordingId id = RecordingId.of("mp4-segments");
        List<Path> files = MediaFixtures.mp4Segments(Files.createDirectories(dir.resolve("d")), 30, 2);
        List<byte[]> chunks = MediaFixtures.readAll(files);
        cluster.record(id, "video/mp4", Mode.SEGMENTS, null, chunks);
        cluster.recordings.mergeQueue().enqueue(id).join();

        Recording rec = cluster.awaitState(id, DONE, WAIT);
        assertEquals(RecordingState.COMPLETED, rec.state(), () -> rec.errorCode() + ": " + rec.errorMessage());
        MediaInfo out = cluster.probeOutput(id, dir);
        assertEquals("h264", out.firstVideo().orElseThrow().codecName());
        assertEquals("aac", out.firstAudio().orElseThrow().codecName());
        assertEquals(30.0, out.durationSeconds(), 0.5);
        TestCluster.assertSeeksToTheMiddle(id, dir, out);
        assertManifestLists(manifest(id), chunks);
        assertTrue(cluster.storage.listChunks(id).join().isEmpty(), "RECINGEST_KEEP_CHUNKS=false deletes the chunks");
    }

    @Test
    void missingChunkFailsThenRemergeCompletesOnceRestored() throws Exception {
        startWorker(Map.of());
        RecordingId id = RecordingId.of("missing-chunk");
        List<Path> files = MediaFixtures.tsSegments(Files.createDirectories(dir.resolve("c")), 10, 1);
        List<byte[]> chunks = MediaFixtures.readAll(files);
        cluster.record(id, "video/mp2t", Mode.SEGMENTS, null, chunks);
        cluster.storage.delete(cluster.storage.keys().chunk(id, 5)).join();
        cluster.recordings.mergeQueue().enqueue(id).join();

        Recording failed = cluster.awaitState(id, DONE, WAIT);
        assertEquals(RecordingState.FAILED, failed.state());
        assertEquals("MISSING_CHUNKS", failed.errorCode());
        assertEquals("chunks missing from storage: [5]", failed.errorMessage());
        assertEquals(Optional.empty(), cluster.storage.size(cluster.storage.keys().output(id)).join(),
                "no partial MP4");
        awaitOutcome("failed", 1.0); // counted just after the state is written
        assertEquals(1.0, registry.get("recingest.merge.jobs").tag("outcome", "failed").counter().count());

        cluster.put(id, 5, chunks.get(5));
        assertTrue(cluster.remerge(id));
        Recording rec = cluster.awaitState(id, Set.of(RecordingState.COMPLETED), WAIT);
        assertEquals(null, rec.errorCode(), "a re-merge clears the old error");
        assertEquals(1, rec.mergeAttempts());
        assertEquals(10.0, cluster.probeOutput(id, dir).durationSeconds(), 0.5);
        assertManifestLists(manifest(id), chunks);
    }

    private JsonNode manifest(RecordingId id) throws Exception {
        return Json.MAPPER.readTree(cluster.storage.getBytes(cluster.storage.keys().manifest(id)).join());
    }

    /** Every chunk, in order, with the size and SHA-256 of the bytes this test stored. */
    private static void assertManifestLists(JsonNode manifest, List<byte[]> chunks) {
        assertEquals("COMPLETED", manifest.get("state").asText());
        assertEquals(chunks.size(), manifest.get("chunkCount").asLong());
        JsonNode listed = manifest.get("chunks");
        assertEquals(chunks.size(), listed.size());
        long total = 0;
        for (int i = 0; i < chunks.size(); i++) {
            JsonNode c = listed.get(i);
            assertEquals(i, c.get("index").asLong());
            assertEquals(chunks.get(i).length, c.get("size").asLong());
            assertEquals(ChunkPrefetcher.sha256(chunks.get(i)), c.get("sha256").asText());
            total += chunks.get(i).length;
        }
        assertEquals(total, manifest.get("bytes").asLong());
        assertFalse(manifest.get("output").get("key").asText().isEmpty());
    }

    private void awaitSkipped(double count) throws InterruptedException {
        awaitOutcome("skipped", count);
        Thread.sleep(200); // the ack follows the count
    }

    /** Waits (bounded) until at least {@code count} jobs were counted with {@code outcome}. */
    private void awaitOutcome(String outcome, double count) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (registry.get("recingest.merge.jobs").tag("outcome", outcome).counter().count() < count) {
            assertTrue(System.nanoTime() < deadline, "no job counted " + outcome);
            Thread.sleep(50);
        }
    }
}
