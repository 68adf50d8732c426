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
                RecordingState.valueOf(h.get("state")),
                h.getOrDefault("contentType", ""),
                Mode.fromWire(h.getOrDefault("mode", "stream")),
                h.getOrDefault("seqMode", ""),
                longOr(h.get("epoch"), 0),
                h.containsKey("chunks") ? longOr(h.get("chunks"), 0) : counter,
                longOr(h.get("bytes"), 0),
                h.get("metadata"),
                instant(h.get("createdAt")),
                instant(h.get("updatedAt")),
                instant(h.get("lastChunkAt")),
                h.get("outputKey"),
                h.containsKey("outputSize") ? longOr(h.get("outputSize"), 0) : null,
                h.containsKey("durationSeconds") ? Double.valueOf(h.get("durationSeconds")) : null,
                h.get("errorCode"),
                h.get("errorMessage"),
                (int) longOr(h.get("mergeAttempts"), 0),
                PartStart.list(instant(h.get("createdAt")), boundaries));
    }

    private static long longOr(String v, long dflt) {
        return v == null || v.isEmpty() ? dflt : Long.parseLong(v);
    }

    private static Instant instant(String epochMillis) {
        return epochMillis == null ? null : Instant.ofEpochMilli(Long.parseLong(epochMillis));
    }
}
