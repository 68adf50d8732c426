package dev.recingest.durable;

import dev.recingest.protocol.Json;
import dev.recingest.protocol.RecordingId;
import dev.recingest.storage.OutputStore;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The part boundaries of recordings in storage ({@link dev.recingest.state.PartStart}), written before Redis
 * records one and before {@code partStarted} is answered: Redis may lose the boundary, storage keeps it, and
 * {@link Reconciler} brings it back. One small object per boundary ({@code {id}/parts/<firstSeq>-<startedAt>},
 * {@code ObjectKeys#partStart}); its name says everything, so a listing is enough to read them, and the JSON
 * inside repeats it for people. Writing the same boundary again writes the same object.
 */
public final class PartLedger {

    private final OutputStore outputs;

    public PartLedger(OutputStore outputs) {
        this.outputs = outputs;
    }

    /** Records that part {@code part} of the recording begins at chunk {@code firstSeq}, started at {@code startedAtMillis}. */
    public CompletableFuture<Void> record(RecordingId id, int part, long firstSeq, long startedAtMillis) {
        Map<String, Object> mark = new LinkedHashMap<>();
        mark.put("recordingId", id.value());
        mark.put("part", part);
        mark.put("firstSeq", firstSeq);
        mark.put("startedAt", Instant.ofEpochMilli(startedAtMillis).toString());
        return outputs.putBytes(outputs.keys().partStart(id, firstSeq, startedAtMillis), Json.writeBytes(mark),
                "application/json");
    }
}
