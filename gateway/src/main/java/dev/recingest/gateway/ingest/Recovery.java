package dev.recingest.gateway.ingest;

import dev.recingest.durable.Reconciler;
import dev.recingest.state.Outcomes.ReclaimKind;
import dev.recingest.state.RecordingStore;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a connection does when Redis turns out to know less than it should about the recording it owns:
 * the whole record is gone (a restart without persistence, keys deleted), the owner epoch went back
 * (Redis lost the takeover that gave it), or the index counter went back below indices already handed
 * out (a restart that lost its last writes, a failover to a lagging replica). Storage is the truth;
 * the connection's own start and the indices it has seen are the rest. One recovery runs per
 * connection at a time ({@link Ownership#recover}); it costs nothing on the normal path.
 */
final class Recovery {

    private static final Logger LOG = LoggerFactory.getLogger(Recovery.class);

    /** Why a recovery runs. */
    enum Trouble {
        /** The meta record is gone, or holds an older epoch than the connection's: take it back, then repair. */
        RECLAIM,
        /** The counter is behind: list storage and move it past every stored and every handed-out index. */
        REPAIR
    }

    private final RecordingStore store;
    private final Reconciler reconciler;

    Recovery(RecordingStore store, Reconciler reconciler) {
        this.store = store;
        this.reconciler = reconciler;
    }

    /** Starts a recovery of {@code o} for {@code trouble}, or joins the one running. */
    CompletableFuture<Void> recover(Ownership o, Trouble trouble) {
        return o.recover(() -> trouble == Trouble.RECLAIM ? reclaim(o) : repair(o));
    }

    private CompletableFuture<Void> reclaim(Ownership o) {
        long before = o.epoch();
        return store.reclaim(o.id(), before, o.contentType(), o.mode(), o.metadata(), o.seqMode())
                .thenCompose(r -> {
                    if (r.kind() != ReclaimKind.RECLAIMED) {
                        // A newer owner, or the recording ended: the retried write gets the final answer.
                        LOG.info("recordingId={} event=reclaim-refused outcome={} state={}", o.id(), r.kind(), r.state());
                        return CompletableFuture.completedFuture(null);
                    }
                    o.epoch(r.epoch());
                    LOG.warn("recordingId={} event=reclaimed epochBefore={} epoch={} knownNext={}", o.id(), before,
                            r.epoch(), o.knownNext());
                    return repair(o);
                });
    }

    private CompletableFuture<Void> repair(Ownership o) {
        long floor = o.knownNext();
        return reconciler.reconcile(o.id(), floor).thenAccept(r ->
                LOG.warn("recordingId={} event=state-repaired floor={} nextSeq={} state={}", o.id(), floor, r.nextSeq(),
                        r.state()));
    }
}
