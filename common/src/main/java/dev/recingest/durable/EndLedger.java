package dev.recingest.durable;

import dev.recingest.state.MetaFields;
import dev.recingest.protocol.ErrorCode;
import dev.recingest.protocol.IngestException;
import dev.recingest.protocol.Json;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.RecordingState;
import dev.recingest.storage.OutputStore;
import dev.recingest.storage.StoredObjects;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The ends of recordings in storage, written before anyone is told a recording ended: {@code manifest.json}
 * with state STOPPED when it stops (before {@code stopped} is answered and the merge is queued), FAILED when
 * it fails, and {@code tombstone.json} when it is aborted or deleted. Redis can lose the stop, the job and
 * the outcome; storage keeps them, and {@link Reconciler} brings Redis back to them. The merger writes the
 * COMPLETED manifest over the STOPPED one. A manifest is never moved back: a stop is not recorded over a
 * completed recording, nor over a failed one except by a re-merge.
 *
 * <p>A stop also marks its merge as owed ({@code .merges-owed/<id>}, see {@code ObjectKeys#mergesOwed}) until
 * an outcome is concluded: if Redis loses everything it knew of a stopped recording, its merge job with it,
 * the janitor finds the mark and brings the stop back ({@link #owedMerges}).
 */
public final class EndLedger {

    private final OutputStore outputs;

    public EndLedger(OutputStore outputs) {
        this.outputs = outputs;
    }

    /** The end storage records, given what a listing found ({@link StoredObjects}); a tombstone wins. */
    CompletableFuture<Optional<EndRecord>> read(RecordingId id, StoredObjects seen) {
        if (seen.tombstone()) {
            return optional(outputs.keys().tombstone(id)).thenCompose(t -> t.isPresent()
                    ? CompletableFuture.completedFuture(t.map(EndRecord::fromTombstone))
                    : seen.manifest() ? manifest(id) : CompletableFuture.completedFuture(Optional.empty()));
        }
        return seen.manifest() ? manifest(id) : CompletableFuture.completedFuture(Optional.empty());
    }

    /** The recording's manifest, if it has one. */
    public CompletableFuture<Optional<EndRecord>> manifest(RecordingId id) {
        return optional(outputs.keys().manifest(id)).thenApply(b -> b.map(EndRecord::fromManifest));
    }

    /**
     * Records a stop: a manifest with state STOPPED from the recording's meta fields (as Redis holds them)
     * and void indices. Completes with false, writing nothing, over a COMPLETED manifest, or a FAILED one
     * unless {@code overFailed} (a re-merge).
     */
    public CompletableFuture<Boolean> recordStop(RecordingId id, Map<String, String> meta, List<Long> voids,
                                                 boolean overFailed) {
        return manifest(id).thenCompose(existing -> {
            RecordingState there = existing.map(EndRecord::state).orElse(null);
            if (there == RecordingState.COMPLETED || (there == RecordingState.FAILED && !overFailed)) {
                return CompletableFuture.completedFuture(false);
            }
            return write(id, manifest(id, RecordingState.STOPPED, meta, voids))
                    .thenCompose(x -> outputs.putBytes(outputs.keys().mergeOwed(id), new byte[0], "text/plain"))
                    .thenApply(x -> true);
        });
    }

    /** The recording's merge is no longer owed: it has an outcome (or was aborted or deleted). */
    public CompletableFuture<Void> mergeConcluded(RecordingId id) {
        return outputs.delete(outputs.keys().mergeOwed(id));
    }

    /** The recordings whose merge is owed, and since when (the stop was recorded). */
    public CompletableFuture<Map<RecordingId, Instant>> owedMerges() {
        String prefix = outputs.keys().mergesOwed();
        return outputs.list(prefix).thenApply(found -> {
            Map<RecordingId, Instant> out = new LinkedHashMap<>();
            found.forEach((key, at) -> {
                String id = key.substring(prefix.length());
                if (RecordingId.PATTERN.matcher(id).matches()) {
                    out.put(RecordingId.of(id), at);
                }
            });
            return out;
        });
    }

    /** Records a failure (its errorCode and errorMessage in {@code meta}), unless a COMPLETED manifest exists. */
    public CompletableFuture<Boolean> recordFailure(RecordingId id, Map<String, String> meta, List<Long> voids) {
        return manifest(id).thenCompose(existing -> {
            if (existing.map(EndRecord::state).orElse(null) == RecordingState.COMPLETED) {
                return CompletableFuture.completedFuture(false);
            }
            Map<String, Object> m = manifest(id, RecordingState.FAILED, meta, voids);
            m.put("failedAt", iso(meta.get(MetaFields.FAILED_AT)));
            m.put("error", Map.of("code", meta.getOrDefault(MetaFields.ERROR_CODE, "INTERNAL"),
                    "message", meta.getOrDefault(MetaFields.ERROR_MESSAGE, "")));
            return write(id, m).thenApply(x -> true);
        });
    }

    /** Leaves a tombstone: the recording was aborted ({@code deleted} false) or deleted at {@code atMillis}. */
    public CompletableFuture<Void> recordTombstone(RecordingId id, boolean deleted, long atMillis) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("recordingId", id.value());
        t.put("state", deleted ? "DELETED" : RecordingState.ABORTED.name());
        t.put("at", Instant.ofEpochMilli(atMillis).toString());
        return outputs.putBytes(outputs.keys().tombstone(id), Json.writeBytes(t), "application/json");
    }

    /** The fields of the merger's manifest ({@code merge.Manifest}) that a stop already knows. */
    private static Map<String, Object> manifest(RecordingId id, RecordingState state, Map<String, String> meta,
                                                List<Long> voids) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("recordingId", id.value());
        m.put("contentType", meta.get(MetaFields.CONTENT_TYPE));
        m.put("mode", meta.getOrDefault(MetaFields.MODE, "stream"));
        m.put("seqMode", meta.getOrDefault(MetaFields.SEQ_MODE, ""));
        m.put("state", state.name());
        m.put("createdAt", iso(meta.get(MetaFields.CREATED_AT)));
        m.put("stoppedAt", iso(meta.get(MetaFields.STOPPED_AT)));
        m.put("completedAt", null);
        m.put("chunkCount", Long.parseLong(meta.getOrDefault(MetaFields.CHUNKS, "0")));
        m.put("bytes", Long.parseLong(meta.getOrDefault(MetaFields.BYTES, "0")));
        m.put("chunks", List.of());
        m.put("void", voids);
        m.put("output", null);
        m.put("metadata", Json.readMetadata(meta.get(MetaFields.METADATA)));
        return m;
    }

    private CompletableFuture<Void> write(RecordingId id, Map<String, Object> manifest) {
        return outputs.putBytes(outputs.keys().manifest(id), Json.writeBytes(manifest), "application/json");
    }

    private CompletableFuture<Optional<byte[]>> optional(String key) {
        return outputs.getBytes(key).handle((bytes, error) -> {
            if (error == null) {
                return Optional.of(bytes);
            }
            IngestException e = IngestException.from(error);
            if (e.code() == ErrorCode.NOT_FOUND) {
                return Optional.<byte[]>empty();
            }
            throw e;
        });
    }

    private static String iso(String epochMillis) {
        return epochMillis == null || epochMillis.isEmpty() ? null : Instant.ofEpochMilli(Long.parseLong(epochMillis)).toString();
    }
}
