package dev.recingest.merge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recingest.merge.ChunkPlan.ChunkRef;
import dev.recingest.merge.MediaInfo.StreamInfo;
import dev.recingest.protocol.Json;
import dev.recingest.protocol.Mode;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.PartStart;
import dev.recingest.state.Recording;
import dev.recingest.state.RecordingState;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ManifestTest {

    @Test
    void jsonHasTheDocumentedShape() throws Exception {
        Recording rec = new Recording(RecordingId.of("r1"), RecordingState.MERGING, "video/mp2t", Mode.SEGMENTS,
                "auto", 1, 3, 30, "{\"room\":\"42\"}", Instant.parse("2025-01-01T00:00:00Z"), null, null,
                null, null, null, null, null, 1, List.of(new PartStart(0, 0, Instant.parse("2025-01-01T00:00:00Z")),
                        new PartStart(1, 2, Instant.parse("2025-01-01T00:00:30Z"))));
        ChunkPlan plan = new ChunkPlan(3, List.of(new ChunkRef(0, 10), new ChunkRef(2, 20)), List.of(1L), 30);
        MediaInfo out = new MediaInfo("mov,mp4,m4a,3gp,3g2,mj2", 12.5, List.of(
                new StreamInfo(0, "video", "h264", 320, 240, null, null, 12.5),
                new StreamInfo(1, "audio", "aac", null, null, 48000, 1, 12.5)));
        MergeResult result = new MergeResult(Path.of("x.mp4"), 999, out,
                List.of(new ChunkDigest(0, 10, "aa"), new ChunkDigest(2, 20, "bb")), "video h264->copy",
                List.of(new Manifest.Part(0, 0, null, 2, 7.5, "2025-01-01T00:00:00Z", true),
                        new Manifest.Part(1, 2, null, 1, 5.0, "2025-01-01T00:00:30Z", true)));
        JsonNode json = Json.MAPPER.readTree(Manifest.of(rec, Instant.parse("2025-01-01T00:01:00Z"),
                Instant.parse("2025-01-01T00:02:00Z"), plan, result, "p/r1/recording.mp4").toJson());

        assertEquals("r1", json.get("recordingId").asText());
        assertEquals("segments", json.get("mode").asText());
        assertEquals("COMPLETED", json.get("state").asText());
        assertEquals("2025-01-01T00:00:00Z", json.get("createdAt").asText());
        assertEquals("2025-01-01T00:01:00Z", json.get("stoppedAt").asText());
        assertEquals("2025-01-01T00:02:00Z", json.get("completedAt").asText());
        assertEquals(3, json.get("chunkCount").asLong());
        assertEquals(30, json.get("bytes").asLong());
        assertEquals("bb", json.get("chunks").get(1).get("sha256").asText());
        assertEquals(1, json.get("void").get(0).asLong());
        assertEquals("p/r1/recording.mp4", json.get("output").get("key").asText());
        assertEquals(12.5, json.get("output").get("durationSeconds").asDouble());
        JsonNode video = json.get("output").get("streams").get(0);
        assertEquals(320, video.get("width").asInt());
        assertFalse(video.has("sampleRate"), "video streams carry no audio fields");
        assertEquals(48000, json.get("output").get("streams").get(1).get("sampleRate").asInt());
        assertEquals("42", json.get("metadata").get("room").asText());
        JsonNode part = json.get("parts").get(1);
        assertEquals(1, part.get("part").asInt());
        assertEquals(2, part.get("firstIndex").asLong());
        assertEquals(1, part.get("chunks").asLong());
        assertEquals(5.0, part.get("durationSeconds").asDouble());
        assertEquals("2025-01-01T00:00:30Z", part.get("startedAt").asText());
        assertTrue(part.get("declared").asBoolean());
        assertFalse(part.has("firstByte"), "a declared part starts at its first chunk's start");
    }
}
