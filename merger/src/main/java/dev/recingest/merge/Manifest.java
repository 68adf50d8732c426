package dev.recingest.merge;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import dev.recingest.merge.MediaInfo.StreamInfo;
import dev.recingest.protocol.Json;
import dev.recingest.state.Recording;
import java.time.Instant;
import java.util.List;

/**
 * {@code manifest.json} (PROTOCOL.md, storage layout): what was merged, so that a finished recording is
 * fully described by its objects after its Redis keys expire. Timestamps are ISO-8601 UTC.
 *
 * @param chunkCount N, including void indices
 * @param bytes      the bytes of the chunks that went into the output
 * @param voids      indices skipped because they will never be stored (at-least-once mode)
 * @param metadata   the JSON object given at start, or null
 */
public record Manifest(String recordingId, String contentType, String mode, String state, String createdAt,
                       String stoppedAt, String completedAt, long chunkCount, long bytes, List<ChunkDigest> chunks,
                       @JsonProperty("void") List<Long> voids, Output output, JsonNode metadata) {

    /** The merged MP4. */
    public record Output(String key, long size, Double durationSeconds, List<StreamInfo> streams) {
    }

    static Manifest of(Recording rec, Instant stoppedAt, Instant completedAt, ChunkPlan plan, MergeResult result,
                       String outputKey) {
        return new Manifest(rec.id().value(), rec.contentType(), rec.mode().wire(), "COMPLETED",
                iso(rec.createdAt()), iso(stoppedAt), iso(completedAt), plan.chunkCount(), plan.totalBytes(),
                result.chunks(), plan.voids(),
                new Output(outputKey, result.outputSize(), result.outputInfo().durationSeconds(),
                        result.outputInfo().streams()),
                Json.readMetadata(rec.metadata()));
    }

    byte[] toJson() {
        return Json.writeBytes(this);
    }

    private static String iso(Instant t) {
        return t == null ? null : t.toString();
    }
}
