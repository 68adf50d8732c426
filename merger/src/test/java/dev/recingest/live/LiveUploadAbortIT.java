package dev.recingest.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recingest.merge.MediaFixtures;
import dev.recingest.merge.TestCluster;
import dev.recingest.protocol.Mode;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.Outcomes;
import dev.recingest.state.RecordingState;
import dev.recingest.state.SeqMode;
import dev.recingest.storage.LiveRenditionFiles;
import dev.recingest.storage.MultipartUploads;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The MP4 upload a rendition starts while recording is not left behind when the rendition ends for good: a
 * recording aborted while rendered has its upload aborted by the rendition, and deleting a recording's live rendition
 * ({@link LiveRenditionFiles#delete}, what {@code DELETE /v1/recordings/{id}} does) aborts the upload and deletes
 * every {@code live/} object. Real S3 server (s3proxy on its filesystem backend, which keeps an upload's parts as
 * files named with the upload id until it is completed or aborted: that is what is looked at), Redis and FFmpeg;
 * MP4 parts of 64 KiB so that an upload begins within seconds.
 */
class LiveUploadAbortIT {

    @TempDir
    static Path dir;
    static TestCluster cluster;
    static LiveMerger workers;

    @BeforeAll
    static void up() {
        cluster = new TestCluster(dir);
        workers = LiveMerger.start(cluster, dir.resolve("work"), 64 << 10);
    }

    @AfterAll
    static void down() {
        if (workers != null) {
            workers.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aRecordingAbortedWhileRenderedHasItsMp4UploadAborted() throws Exception {
        RecordingId id = RecordingId.of("live-aborted");
        List<byte[]> chunks = MediaFixtures.readAll(MediaFixtures.tsSegments(Files.createDirectories(dir.resolve("ts")), 20, 1));
        Outcomes.StartOutcome started = cluster.recordings.ledger().start(id, "video/mp2t", Mode.SEGMENTS, null).join();
        String uploadId = null;
        for (int seq = 0; seq < chunks.size() && uploadId == null; seq++) {
            Outcomes.Assignment a = cluster.recordings.ledger().assign(id, started.epoch(), seq, SeqMode.EXPLICIT).join();
            cluster.put(id, a.index(), chunks.get(seq));
            cluster.recordings.ledger().commit(id, a.index(), chunks.get(seq).length).join();
            Thread.sleep(500);
            uploadId = uploadWithParts(id);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (uploadId == null && System.nanoTime() < deadline) {
            Thread.sleep(200);
            uploadId = uploadWithParts(id);
        }
        assertTrue(uploadId != null, "the rendition started its MP4 upload and uploaded a part");

        // What DELETE ?force=true and the janitor do to an open recording: it becomes ABORTED.
        assertTrue(cluster.recordings.transition(id, EnumSet.of(RecordingState.RECORDING, RecordingState.STALLED),
                RecordingState.ABORTED, Map.of()).join().ok());
        String upload = uploadId;
        deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!uploadFiles(upload).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertEquals(List.of(), uploadFiles(upload), "the aborted recording's MP4 upload is aborted");
        assertFalse(cluster.recordings.liveIndex().held(id).join(), "the rendition ended");
    }

    @Test
    void deletingALiveRenditionAbortsItsUploadAndDeletesItsFiles() throws Exception {
        RecordingId id = RecordingId.of("live-deleted");
        var keys = cluster.storage.keys();
        // A rendition left as a worker that died for good leaves it: segments, playlist, the upload and its state.
        String uploadId = cluster.storage.createUpload(keys.output(id), "video/mp4").join();
        Path part = Files.write(dir.resolve("part.bin"), new byte[70_000]);
        MultipartUploads.Part p = cluster.storage.uploadPart(keys.output(id), uploadId, 2, part, 0, Files.size(part)).join();
        cluster.storage.putBytes(keys.liveFile(id, LiveRenditionFiles.UPLOAD),
                ("{\"key\":\"" + keys.output(id) + "\",\"uploadId\":\"" + uploadId + "\"}").getBytes(StandardCharsets.UTF_8),
                "application/json").join();
        cluster.storage.putBytes(keys.liveFile(id, "init-0.mp4"), new byte[100], "video/mp4").join();
        cluster.storage.putBytes(keys.liveFile(id, "00000000.m4s"), new byte[100], "video/iso.segment").join();
        cluster.storage.putBytes(keys.livePlaylist(id), "#EXTM3U\n".getBytes(StandardCharsets.UTF_8),
                "application/vnd.apple.mpegurl").join();
        assertFalse(uploadFiles(uploadId).isEmpty(), "the upload's part is stored (" + p + ")");
        assertEquals(4, cluster.storage.list(keys.live(id)).join().size());

        LiveRenditionFiles.delete(cluster.storage, id).join();

        assertEquals(List.of(), uploadFiles(uploadId), "the upload is aborted");
        assertEquals(Map.of(), cluster.storage.list(keys.live(id)).join(), "no live/ object left");
        LiveRenditionFiles.delete(cluster.storage, id).join(); // again: nothing to do, no error
    }

    /** The id of the rendition's MP4 upload once it has a part stored, else null. */
    private static String uploadWithParts(RecordingId id) throws IOException {
        try {
            byte[] b = cluster.storage.getBytes(cluster.storage.keys().liveFile(id, LiveRenditionFiles.UPLOAD)).join();
            String uploadId = dev.recingest.protocol.Json.MAPPER.readTree(b).path("uploadId").asText();
            return uploadFiles(uploadId).size() > 1 ? uploadId : null; // the upload's stub and a part
        } catch (java.util.concurrent.CompletionException e) {
            return null;
        }
    }

    /** The files the S3 server keeps for an upload in progress (its stub and parts), by name. */
    private static List<String> uploadFiles(String uploadId) throws IOException {
        try (Stream<Path> all = Files.walk(cluster.backend.servers.s3Server().dataDir())) {
            return all.map(f -> f.getFileName().toString()).filter(n -> n.contains(uploadId)).sorted().toList();
        }
    }
}
