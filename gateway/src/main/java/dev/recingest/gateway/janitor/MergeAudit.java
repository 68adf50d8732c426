package dev.recingest.gateway.janitor;

import dev.recingest.state.MetaFields;
import dev.recingest.durable.EndLedger;
import dev.recingest.durable.Endings;
import dev.recingest.durable.Reconciler;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.RecordingState;
import dev.recingest.state.RecordReader;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The merges storage says are owed ({@link EndLedger#owedMerges}: a stop was recorded, no outcome yet) that
 * Redis lost track of: a Redis that went back to before the recording existed has neither its record nor
 * its merge job, and no other part of the system would ever look at it again. Each mark older than the
 * grace is checked against Redis: a record missing or open again is brought back from storage (the stop is
 * restored and its merge queued, {@link Reconciler}); one STOPPED whose merge was never marked queued gets
 * it queued; one that reached an outcome has its mark removed. Costs one LIST of the marks per run.
 */
final class MergeAudit {

    private static final Logger LOG = LoggerFactory.getLogger(MergeAudit.class);

    private final RecordReader store;
    private final Reconciler reconciler;
    private final Endings endings;
    private final Duration grace;

    MergeAudit(RecordReader store, Reconciler reconciler, Endings endings, Duration grace) {
        this.store = store;
        this.reconciler = reconciler;
        this.endings = endings;
        this.grace = grace;
    }

    /** Checks the marks older than the grace; completes with how many stops it brought back. */
    CompletableFuture<Integer> run(Instant now) {
        AtomicInteger restored = new AtomicInteger();
        return endings.ledger().owedMerges().thenCompose(owed -> {
            List<CompletableFuture<Void>> checks = new ArrayList<>();
            for (Map.Entry<RecordingId, Instant> e : owed.entrySet()) {
                if (e.getValue().plus(grace).isBefore(now)) {
                    checks.add(check(e.getKey(), restored).exceptionally(error -> {
                        LOG.atWarn().addKeyValue("recording", e.getKey()).addKeyValue("error", error.toString())
                                .log("merge audit failed");
                        return null;
                    }));
                }
            }
            return CompletableFuture.allOf(checks.toArray(CompletableFuture[]::new));
        }).thenApply(x -> restored.get());
    }

    private CompletableFuture<Void> check(RecordingId id, AtomicInteger restored) {
        return store.fields(id).thenCompose(meta -> {
            String state = meta.get(MetaFields.STATE);
            if (state == null || RecordingState.valueOf(state).open()) {
                return reconciler.reconcile(id, 0).thenCompose(r -> {
                    if (r.stored() != RecordingState.STOPPED) {
                        // No recorded stop (nothing owed), or an outcome, abort or delete storage knows of.
                        return endings.ledger().mergeConcluded(id);
                    }
                    restored.incrementAndGet();
                    LOG.atWarn().addKeyValue("recording", id).addKeyValue("redisState", state)
                            .addKeyValue("storedState", r.stored()).log("merge owed by storage restored");
                    return CompletableFuture.<Void>completedFuture(null);
                });
            }
            return switch (RecordingState.valueOf(state)) {
                case STOPPED -> meta.containsKey(MetaFields.MERGE_QUEUED_AT) ? CompletableFuture.completedFuture(null)
                        : endings.stopped(id);
                case MERGING -> CompletableFuture.completedFuture(null);
                default -> endings.ledger().mergeConcluded(id);
            };
        });
    }
}
