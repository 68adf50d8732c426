package dev.recingest.gateway.http;

import dev.recingest.durable.Endings;
import dev.recingest.durable.Remerges;
import dev.recingest.gateway.ingest.RecordingLifecycle;
import dev.recingest.protocol.ErrorCode;
import dev.recingest.protocol.ErrorDetail;
import dev.recingest.protocol.IngestException;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.Recording;
import dev.recingest.state.RecordingState;
import dev.recingest.state.RecordingStore;
import dev.recingest.storage.ChunkStore;
import dev.recingest.storage.OutputStore;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API's actions on one recording: server-side stop, re-merge, delete. Each answers with the
 * JSON body of its success, or fails with an {@link IngestException} whose code gives the HTTP status.
 */
final class RecordingActions {

    private static final Logger LOG = LoggerFactory.getLogger(RecordingActions.class);
    private static final EnumSet<RecordingState> ABORTABLE =
            EnumSet.of(RecordingState.RECORDING, RecordingState.STALLED, RecordingState.STOPPED);

    private final RecordingStore store;
    private final ChunkStore chunks;
    private final OutputStore outputs;
    private final RecordingLifecycle lifecycle;
    private final Endings endings;
    private final Remerges remerges;

    RecordingActions(RecordingStore store, ChunkStore chunks, OutputStore outputs, RecordingLifecycle lifecycle,
                     Endings endings, Remerges remerges) {
        this.store = store;
        this.chunks = chunks;
        this.outputs = outputs;
        this.lifecycle = lifecycle;
        this.endings = endings;
        this.remerges = remerges;
    }

    /**
     * Stops a recording whose recorder is gone (or stuck) as its own stop would, without the owner check:
     * repair from storage, all of 0..N-1 stored, STOPPED, merge queued, recording.stopped announced.
     * INCOMPLETE (409, naming the missing indices) leaves it open; NOT_OPEN (409) names its state.
     */
    CompletableFuture<Map<String, Object>> stop(RecordingId id) {
        // The existence check comes first: a repair of an unknown id would create keys for it.
        return existing(id).thenCompose(r -> lifecycle.stopWithoutOwner(id)).thenApply(stopped -> {
            LOG.atInfo().addKeyValue("recording", id).addKeyValue("chunks", stopped.chunks())
                    .addKeyValue("bytes", stopped.bytes()).log("recording stopped by the admin API");
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("recordingId", id.value());
            body.put("state", RecordingState.STOPPED.name());
            body.put("chunks", stopped.chunks());
            body.put("bytes", stopped.bytes());
            body.put("void", stopped.voidIndices());
            return body;
        });
    }

    /**
     * Queues a FAILED (or STOPPED, job lost) recording for another merge, after Redis was made to agree with
     * storage (a chunk restored after MISSING_CHUNKS counts): 202; any other state: 409.
     */
    CompletableFuture<Map<String, Object>> merge(RecordingId id) {
        return existing(id).thenCompose(r -> remerges.request(id)).thenCompose(queued -> {
            if (queued) {
                LOG.atInfo().addKeyValue("recording", id).log("merge requested again by the admin API");
                return CompletableFuture.completedFuture(Map.<String, Object>of("recordingId", id.value(),
                        "state", RecordingState.STOPPED.name(), "queued", true));
            }
            return store.get(id).thenApply(now -> {
                String state = now.map(r -> r.state().name()).orElse("UNKNOWN");
                throw new IngestException(ErrorCode.CONFLICT, "recording is " + state
                        + "; only a FAILED or STOPPED recording can be merged again", new ErrorDetail.State(state));
            });
        });
    }

    /**
     * Deletes the recording's objects (chunks, live rendition, output, manifest), then its Redis keys. An open recording
     * is refused (409) unless {@code force}, which aborts it first; its meta record then stays as an
     * ABORTED tombstone for the retention time, so its recorder gets 4409 on its next write or reconnect
     * instead of starting the id afresh. A STOPPED one is aborted first too, so no merger starts on it. A
     * MERGING one is always refused: a merger is writing its output. A recording whose keys already
     * expired is deleted from S3 alone. A tombstone is left in storage first, so the id is never opened
     * again; recording.deleted is announced.
     */
    CompletableFuture<Map<String, Object>> delete(RecordingId id, boolean force) {
        return store.get(id).thenCompose(found -> {
            if (found.isEmpty()) {
                return objectsExist(id).thenCompose(exists -> {
                    if (!exists) {
                        throw RecordingsApi.notFound(id);
                    }
                    return endings.deleting(id, Map.of()).thenCompose(x -> deleteObjects(id))
                            .thenApply(x -> deleted(id, null));
                });
            }
            Recording r = found.get();
            if (r.state() == RecordingState.MERGING) {
                throw new IngestException(ErrorCode.CONFLICT, "recording is MERGING; delete it once it is "
                        + "COMPLETED or FAILED", new ErrorDetail.State(r.state().name()));
            }
            if (r.state().open() && !force) {
                throw new IngestException(ErrorCode.CONFLICT, "recording is " + r.state()
                        + "; add ?force=true to abort it and delete it", new ErrorDetail.State(r.state().name()));
            }
            CompletableFuture<Void> fenced = !ABORTABLE.contains(r.state())
                    ? CompletableFuture.completedFuture(null)
                    : store.transition(id, ABORTABLE, RecordingState.ABORTED, Map.of()).thenAccept(t -> {
                        if (!t.ok()) {
                            String now = t.previous() == null ? "UNKNOWN" : t.previous().name();
                            throw new IngestException(ErrorCode.CONFLICT, "recording became " + now
                                    + " while being deleted; try again", new ErrorDetail.State(now));
                        }
                    });
            return fenced.thenCompose(x -> store.fields(id))
                    .thenCompose(before -> endings.deleting(id, before))
                    .thenCompose(x -> deleteObjects(id))
                    .thenCompose(x -> r.state().open() ? store.retention().tombstone(id, lifecycle.retention()) : store.retention().delete(id))
                    .thenApply(x -> deleted(id, r.state()));
        });
    }

    private CompletableFuture<Recording> existing(RecordingId id) {
        return store.get(id).thenApply(r -> r.orElseThrow(() -> RecordingsApi.notFound(id)));
    }

    private CompletableFuture<Boolean> objectsExist(RecordingId id) {
        CompletableFuture<Boolean> anyChunk = chunks.listChunks(id).thenApply(m -> !m.isEmpty());
        CompletableFuture<Optional<Long>> manifest = outputs.size(outputs.keys().manifest(id));
        CompletableFuture<Optional<Long>> output = outputs.size(outputs.keys().output(id));
        return anyChunk.thenCombine(manifest, (c, m) -> c || m.isPresent()).thenCombine(output, (cm, o) -> cm || o.isPresent());
    }

    /** Chunks first (then the live rendition, its MP4 upload aborted), the manifest last: an interrupted delete leaves the record that says what was there. */
    private CompletableFuture<Void> deleteObjects(RecordingId id) {
        return chunks.deleteChunks(id)
                .thenCompose(x -> dev.recingest.storage.LiveRenditionFiles.delete(outputs, id))
                .thenCompose(x -> outputs.delete(outputs.keys().output(id)))
                .thenCompose(x -> outputs.delete(outputs.keys().manifest(id)));
    }

    private static Map<String, Object> deleted(RecordingId id, RecordingState previous) {
        LOG.atInfo().addKeyValue("recording", id).addKeyValue("previousState", previous)
                .log("recording deleted by the admin API");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("recordingId", id.value());
        body.put("deleted", true);
        body.put("previousState", previous == null ? "EXPIRED" : previous.name());
        return body;
    }
}
