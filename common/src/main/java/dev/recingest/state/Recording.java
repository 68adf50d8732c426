package dev.recingest.state;

import dev.recingest.protocol.Mode;
import dev.recingest.protocol.RecordingId;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A snapshot of one recording's Redis record. Output and error fields are null until set.
 *
 * @param chunks the index counter while recording; the final chunk count once stopped
 * @param parts  where each part begins, part 0 first (always at least part 0); see {@link PartStart}
 */
public record Recording(RecordingId id, RecordingState state, String contentType, Mode mode, String seqMode,
                        long epoch, long chunks, long bytes, String metadata, Instant createdAt,
                        Instant updatedAt, Instant lastChunkAt, String outputKey, Long outputSize,
                        Double durationSeconds, String errorCode, String errorMessage, int mergeAttempts,
                        List<PartStart> parts) {

    public Recording {
        parts = parts == null || parts.isEmpty() ? List.of(new PartStart(0, 0, createdAt)) : List.copyOf(parts);
    }

    static Recording fromHash(RecordingId id, Map<String, String> h, long counter, Map<Long, Long> boundaries) {
        return new Recording(id,
                RecordingState.valueOf(h.get(MetaFields.STATE)),
                h.getOrDefault(MetaFields.CONTENT_TYPE, ""),
                Mode.fromWire(h.getOrDefault(MetaFields.MODE, "stream")),
                h.getOrDefault(MetaFields.SEQ_MODE, ""),
                longOr(h.get(MetaFields.EPOCH), 0),
                h.containsKey(MetaFields.CHUNKS) ? longOr(h.get(MetaFields.CHUNKS), 0) : counter,
                longOr(h.get(MetaFields.BYTES), 0),
                h.get(MetaFields.METADATA),
                instant(h.get(MetaFields.CREATED_AT)),
                instant(h.get(MetaFields.UPDATED_AT)),
                instant(h.get(MetaFields.LAST_CHUNK_AT)),
                h.get(MetaFields.OUTPUT_KEY),
                h.containsKey(MetaFields.OUTPUT_SIZE) ? longOr(h.get(MetaFields.OUTPUT_SIZE), 0) : null,
                h.containsKey(MetaFields.DURATION_SECONDS) ? Double.valueOf(h.get(MetaFields.DURATION_SECONDS)) : null,
                h.get(MetaFields.ERROR_CODE),
                h.get(MetaFields.ERROR_MESSAGE),
                (int) longOr(h.get(MetaFields.MERGE_ATTEMPTS), 0),
                PartStart.list(instant(h.get(MetaFields.CREATED_AT)), boundaries));
    }

    private static long longOr(String v, long dflt) {
        return v == null || v.isEmpty() ? dflt : Long.parseLong(v);
    }

    private static Instant instant(String epochMillis) {
        return epochMillis == null ? null : Instant.ofEpochMilli(Long.parseLong(epochMillis));
    }
}
