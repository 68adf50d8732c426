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
 * @param parts      the recording's parts, in the order the MP4 plays them (see {@link Part}); one for a
 *                   recording that was one continuous stream
 * @param metadata   the JSON object given at start, or null
 */
public record Manifest(String recordingId, String contentType, String mode, String state, String createdAt,
                       String stoppedAt, String completedAt, long chunkCount, long bytes, List<ChunkDigest> chunks,
                       @JsonProperty("void") List<Long> voids, List<Part> parts, Output output, JsonNode metadata) {

    /** The merged MP4. */
    public record Output(String key, long size, Double durationSeconds, List<StreamInfo> streams) {
    }

    /**
     * One part of the recording (PROTOCOL.md, "part"; {@code dev.recingest.state.PartStart}): a continuous
     * stream that became one continuous stretch of the MP4. Parts follow each other in the MP4 without the time
     * between them, so part {@code k} plays from the sum of the durations before it.
     *
     * @param firstIndex      the chunk its bytes start in
     * @param firstByte       where in that chunk, when not at its start (a stream found inside a chunk); else null
     * @param chunks          how many chunk indices it spans (its first chunk's index to the next part's, void
     *                        indices included)
     * @param durationSeconds how long it plays in the MP4
     * @param startedAt       when it started: the recording's creation for part 0, the {@code part} message for
     *                        the others; null for a part the merger found (a new stream nobody declared)
     * @param declared        false for a part the merger found: a new container stream inside the bytes, where
     *                        the client sent no {@code part}
     */
    public record Part(int part, long firstIndex, Integer firstByte, long chunks, Double durationSeconds,
                       String startedAt, boolean declared) {

        Part withDuration(Double seconds) {
            return new Part(part, firstIndex, firstByte, chunks, seconds, startedAt, declared);
        }
    }

    static Manifest of(Recording rec, Instant stoppedAt, Instant completedAt, ChunkPlan plan, MergeResult result,
                       String outputKey) {
        return new Manifest(rec.id().value(), rec.contentType(), rec.mode().wire(), "COMPLETED",
                iso(rec.createdAt()), iso(stoppedAt), iso(completedAt), plan.chunkCount(), plan.totalBytes(),
                result.chunks(), plan.voids(), result.parts(),
                new Output(outputKey, result.outputSize(), result.outputInfo().durationSeconds(),
                        result.outputInfo().streams()),
                Json.readMetadata(rec.metadata()));
    }

    byte[] toJson() {
        return Json.writeBytes(this);
    }

    static String iso(Instant t) {
        return t == null ? null : t.toString();
    }
}
