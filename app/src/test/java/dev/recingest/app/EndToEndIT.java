package dev.recingest.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recingest.client.ClientOptions;
import dev.recingest.client.admin.AdminClient;
import dev.recingest.agent.push.ByteRangeSource;
import dev.recingest.agent.push.ChunkSource;
import dev.recingest.agent.push.PushRequest;
import dev.recingest.agent.push.PushResult;
import dev.recingest.agent.push.RecordingPusher;
import dev.recingest.agent.push.SegmentSource;
import dev.recingest.config.Settings;
import dev.recingest.protocol.Json;
import dev.recingest.protocol.Mode;
import dev.recingest.protocol.RecordingId;
import dev.recingest.storage.S3Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One recording end to end, in each mode, through the real launcher wiring (embedded Redis and S3,
 * gateway, merger) and the real client: the MP4 plays for as long as the source, and every chunk and
 * manifest entry is exactly what the client sent.
 */
class EndToEndIT {

    private static final int SECONDS = 20;

    @TempDir
    static Path dir;
    static EmbeddedCluster cluster;

    @BeforeAll
    static void up() {
        cluster = EmbeddedCluster.start(Settings.of(Map.of("RECINGEST_PORT", "0",
                "RECINGEST_DATA_DIR", dir.resolve("data").toString())));
    }

    @AfterAll
    static void down() {
        cluster.close();
    }

    static RecordingPusher pusher() {
        return new RecordingPusher(ClientOptions.defaults(cluster.ingestUri(), cluster.recorderToken(Duration.ofHours(1))),
                new AdminClient(cluster.httpBase(), cluster.adminToken()));
    }

    @Test
    void streamModeWebmFromABrowserBecomesAPlayableMp4() throws Exception {
        Path source = Media.webmVp8Opus(dir, SECONDS);
        try (ChunkSource chunks = new ByteRangeSource(source, 128 << 10, "video/webm;codecs=vp8,opus")) {
            PushResult result = pusher().push(chunks, PushRequest.of(source, Mode.STREAM)
                    .withRecordingId("e2e-stream").withMergeWait(true, Duration.ofMinutes(3)));
            assertCompletedAndExact(result, chunks, SECONDS);
        }
    }

    @Test
    void segmentsModeMpegTsBecomesAPlayableMp4() throws Exception {
        Path source = Media.tsH264Aac(dir, SECONDS);
        try (ChunkSource chunks = SegmentSource.cut(source, Duration.ofSeconds(2), Media.FFMPEG.ffmpeg(),
                Duration.ofMinutes(2))) {
            assertTrue(chunks.count() >= 9, "cut into ~2 s segments: " + chunks.count());
            PushResult result = pusher().push(chunks, PushRequest.of(source, Mode.SEGMENTS)
                    .withRecordingId("e2e-segments").withMergeWait(true, Duration.ofMinutes(3)));
            assertCompletedAndExact(result, chunks, SECONDS);
        }
    }

    private static void assertCompletedAndExact(PushResult result, ChunkSource sent, double sourceSeconds)
            throws Exception {
        assertEquals("COMPLETED", result.state(), String.valueOf(result.error()));
        RecordingId id = RecordingId.of(result.recordingId());
        S3Store s3 = cluster.backends().s3();

        Path mp4 = cluster.localPathOf(result.output().key());
        assertTrue(Files.size(mp4) > 0);
        assertEquals(List.of("video", "audio"), Media.streamTypes(mp4));
        double seconds = Media.duration(mp4);
        assertEquals(sourceSeconds, seconds, 0.5, "output duration vs source");
        Media.decodeFrameAt(mp4, seconds / 2);

        JsonNode manifest = Json.MAPPER.readTree(s3.getBytes(s3.keys().manifest(id)).join());
        assertEquals(sent.count(), manifest.get("chunkCount").asInt());
        assertEquals(sent.count(), manifest.get("chunks").size());
        for (int i = 0; i < sent.count(); i++) {
            byte[] bytes = sent.read(i);
            JsonNode entry = manifest.get("chunks").get(i);
            assertEquals(i, entry.get("index").asInt());
            assertEquals(bytes.length, entry.get("size").asLong(), "size of chunk " + i);
            assertEquals(Media.sha256(bytes), entry.get("sha256").asText(), "SHA-256 of chunk " + i);
            assertArrayEquals(bytes, s3.getChunk(id, i).join(), "chunk object " + i + " is what the client sent");
        }
        assertEquals(sent.count(), s3.listChunks(id).join().size(), "no chunk stored twice or left over");
        assertEquals(result.output().key(), manifest.get("output").get("key").asText());
    }
}
