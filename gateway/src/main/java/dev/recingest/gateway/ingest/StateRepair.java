package dev.recingest.gateway.ingest;

import dev.recingest.protocol.RecordingId;
import dev.recingest.state.RecordingStore;
import dev.recingest.storage.ChunkStore;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Repair from storage (PROTOCOL.md): Redis may lose its latest writes and fall behind the chunk objects
 * that were already stored and acked. Before the gateway answers {@code started}, a gap or {@code stop},
 * it lists the recording's chunk objects and moves Redis up to them. Concurrent repairs of one recording
 * share one listing, so a burst of out-of-order frames costs one LIST, not one per frame.
 */
public final class StateRepair {

    private static final Logger LOG = LoggerFactory.getLogger(StateRepair.class);

    private final RecordingStore store;
    private final ChunkStore chunks;
    private final Map<RecordingId, CompletableFuture<Long>> running = new ConcurrentHashMap<>();

    public StateRepair(RecordingStore store, ChunkStore chunks) {
        this.store = store;
        this.chunks = chunks;
    }

    /** Repairs the recording's state from storage and returns the index counter afterwards. */
    public CompletableFuture<Long> repair(RecordingId id) {
        CompletableFuture<Long> mine = new CompletableFuture<>();
        CompletableFuture<Long> existing = running.putIfAbsent(id, mine);
        if (existing != null) {
            return existing;
        }
        chunks.listChunks(id)
                .thenCompose(listing -> store.repair(id, listing).thenApply(next -> {
                    if (!listing.isEmpty()) {
                        LOG.debug("recordingId={} event=repaired listed={} nextSeq={}", id, listing.size(), next);
                    }
                    return next;
                }))
                .whenComplete((next, error) -> {
                    running.remove(id, mine);
                    if (error != null) {
                        mine.completeExceptionally(error);
                    } else {
                        mine.complete(next);
                    }
                });
        return mine;
    }
}
