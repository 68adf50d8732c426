package dev.recingest.durable;

import dev.recingest.protocol.RecordingId;
import dev.recingest.state.RecordingState;
import dev.recingest.state.RecordingStore;
import dev.recingest.state.Remerge;
import java.util.EnumSet;
import java.util.concurrent.CompletableFuture;

/**
 * A re-merge (the admin API's {@code POST /v1/recordings/{id}/merge}) of a FAILED recording, or a STOPPED one
 * whose job was lost: Redis is first made to agree with storage, so a chunk restored after MISSING_CHUNKS is
 * recorded and a recording storage shows as completed is not merged again; then the stop is recorded in
 * storage again (over the FAILED manifest) and {@link Remerge} queues the job.
 */
public final class Remerges {

    private static final EnumSet<RecordingState> REMERGEABLE = EnumSet.of(RecordingState.FAILED, RecordingState.STOPPED);

    private final RecordingStore store;
    private final Reconciler reconciler;
    private final EndLedger ledger;

    public Remerges(RecordingStore store, Reconciler reconciler, EndLedger ledger) {
        this.store = store;
        this.reconciler = reconciler;
        this.ledger = ledger;
    }

    /** Completes with true when a job was queued, false when the recording is in no state to re-merge. */
    public CompletableFuture<Boolean> request(RecordingId id) {
        return reconciler.reconcile(id, 0).thenCompose(r -> {
            if (r.state() == null || !REMERGEABLE.contains(r.state())) {
                return CompletableFuture.completedFuture(false);
            }
            return store.fields(id).thenCombine(store.voidIndices(id), (meta, voids) -> ledger.recordStop(id, meta, voids, true))
                    .thenCompose(f -> f)
                    .thenCompose(recorded -> !recorded ? CompletableFuture.completedFuture(false) : Remerge.request(store, id));
        });
    }
}
