package dev.recingest.gateway.ingest;

import dev.recingest.protocol.RecordingId;
import dev.recingest.state.RecordingStore;
import dev.recingest.storage.ChunkStore;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Repair from storage (PROTOCOL.md): Redis may lose its latest writes and fall behind the chunk objects
 * that were already stored and acked. Before the gateway answers {@code started}, a gap or {@code stop},
 * and whenever a connection notices that Redis went back ({@link Recovery}), it lists the recording's
 * chunk objects and moves Redis up to them. Concurrent repairs of one recording share one listing, so a
 * burst of out-of-order frames costs one LIST, not one per frame; each caller then runs the (cheap)
 * repair script with its own floor.
 */
public final class StateRepair {

    private static final Logger LOG = LoggerFactory.getLogger(StateRepair.class);

    private final RecordingStore store;
    private final ChunkStore chunks;
    private final Map<RecordingId, CompletableFuture<SortedMap<Long, Long>>> listing = new ConcurrentHashMap<>();

    public StateRepair(RecordingStore store, ChunkStore chunks) {
        this.store = store;
        this.chunks = chunks;
    }

    /** Repairs the recording's state from storage and returns the index counter afterwards. */
    public CompletableFuture<Long> repair(RecordingId id) {
        return repair(id, 0);
    }

    /**
     * Repairs the recording's state from storage, moving the counter to at least {@code floor} (indices
     * the caller knows were handed out), and returns the counter afterwards.
     */
    public CompletableFuture<Long> repair(RecordingId id, long floor) {
        return list(id).thenCompose(objects -> store.repair(id, objects, floor).thenApply(next -> {
            if (!objects.isEmpty()) {
                LOG.debug("recordingId={} event=repaired listed={} floor={} nextSeq={}", id, objects.size(), floor, next);
            }
            return next;
        }));
    }

    /** One listing shared by the repairs of a recording that start while it runs. */
    private CompletableFuture<SortedMap<Long, Long>> list(RecordingId id) {
        CompletableFuture<SortedMap<Long, Long>> mine = new CompletableFuture<>();
        CompletableFuture<SortedMap<Long, Long>> existing = listing.putIfAbsent(id, mine);
        if (existing != null) {
            return existing;
        }
        chunks.listChunks(id).whenComplete((objects, error) -> {
            listing.remove(id, mine);
            if (error != null) {
                mine.completeExceptionally(error);
            } else {
                mine.complete(objects);
            }
        });
        return mine;
    }
}
