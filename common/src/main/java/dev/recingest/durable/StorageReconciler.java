package dev.recingest.durable;

import dev.recingest.observability.Laps;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.RecordingRepairs;
import dev.recingest.state.RecordingRepairs.RepairPoint;
import dev.recingest.state.RecordingRepairs.SettleKind;
import dev.recingest.state.RecordingState;
import dev.recingest.storage.ChunkStore;
import dev.recingest.storage.StoredObjects;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Reconciler} over Redis ({@link RecordingRepairs}) and S3 ({@link ChunkStore#listFrom},
 * {@link EndLedger}). One reconcile costs a script call to learn where to list from, one LIST of the chunks
 * from there on (plus the recording's manifest, part marks and tombstone, which sort after them), and a repair
 * script only when the listing found something (a part-restoring one only when it found part boundaries Redis
 * lacks); a GET of the manifest or tombstone only when one exists.
 * Concurrent reconciles of one recording that may start listing at the same point share one listing, so a
 * burst of out-of-order frames costs one LIST, not one per frame.
 *
 * <p>The LIST request is built (marshalled, its endpoint resolved, signed) on the {@code requests} executor,
 * not on the Redis client's thread that completes the repair point: that one thread decodes every Redis reply
 * of the process, and while it builds SDK requests (slow in a fresh JVM) it decodes none. When a gateway dies,
 * its 10-15 clients resume on one gateway at the same moment (ResumeBenchmark); built there, each resume's
 * LIST held up the repair points and start scripts of the others.
 */
public final class StorageReconciler implements Reconciler {

    private static final Logger LOG = LoggerFactory.getLogger(StorageReconciler.class);

    private final RecordingRepairs repairs;
    private final ChunkStore chunks;
    private final EndLedger ledger;
    private final Endings endings;
    private final Executor requests;
    private final Map<RecordingId, Listing> listings = new ConcurrentHashMap<>();

    /** A listing that started at chunk index {@code from}. */
    private record Listing(long from, CompletableFuture<StoredObjects> objects) {
    }

    /** Builds the LIST request on the thread that completes the repair point (a process with little traffic). */
    public StorageReconciler(RecordingRepairs repairs, ChunkStore chunks, Endings endings) {
        this(repairs, chunks, endings, Runnable::run);
    }

    /** @param requests where the LIST request is built (a gateway's event loops), not the Redis client's thread */
    public StorageReconciler(RecordingRepairs repairs, ChunkStore chunks, Endings endings, Executor requests) {
        this.requests = requests;
        this.repairs = repairs;
        this.chunks = chunks;
        this.ledger = endings.ledger();
        this.endings = endings;
    }

    @Override
    public CompletableFuture<Reconciled> reconcile(RecordingId id, long floor, Laps laps) {
        return point(id, laps).thenComposeAsync(point -> listAndAgree(id, floor, point, laps), requests);
    }

    @Override
    public CompletableFuture<Reconciled> reconcileToOpen(RecordingId id, Laps laps) {
        return point(id, laps).thenCompose(point -> {
            if (point.proven() && point.state() != null && point.state().open()) {
                return CompletableFuture.completedFuture(new Reconciled(point.counter(), point.state(), null,
                        point.proof()));
            }
            return CompletableFuture.supplyAsync(() -> listAndAgree(id, 0, point, laps), requests)
                    .thenCompose(r -> r.thenApply(a -> new Reconciled(a.nextSeq(), a.state(), a.stored(), point.proof())));
        });
    }

    @Override
    public CompletableFuture<Void> storageGoesAhead(RecordingId id) {
        return repairs.unproven(id);
    }

    private CompletableFuture<RepairPoint> point(RecordingId id, Laps laps) {
        return repairs.point(id).thenApply(point -> {
            laps.lap("repair_point");
            return point;
        });
    }

    private CompletableFuture<Reconciled> listAndAgree(RecordingId id, long floor, RepairPoint point, Laps laps) {
        laps.lap("to_event_loop");
        return list(id, point.filledTo()).thenCompose(objects -> {
            laps.lap("list");
            return ledger.read(id, objects).thenCompose(end -> {
                laps.lap("end_read");
                return agree(id, floor, point, objects, end).thenApply(r -> {
                    laps.lap("repair");
                    return r;
                });
            });
        });
    }

    private CompletableFuture<Reconciled> agree(RecordingId id, long floor, RepairPoint point, StoredObjects objects,
                                                Optional<EndRecord> end) {
        RecordingState stored = end.map(EndRecord::state).orElse(null);
        boolean behind = stored != null && (point.state() == null || point.state().progress() < stored.progress());
        if (behind && point.state() == null && stored != RecordingState.STOPPED) {
            // Ended for good in storage and forgotten by Redis (expired keys): nothing to bring back.
            return CompletableFuture.completedFuture(new Reconciled(point.counter(), null, stored));
        }
        // A part boundary at seq s means every index below s was handed out: the counter goes at least there.
        long partsFloor = objects.parts().keySet().stream().mapToLong(Long::longValue).max().orElse(0);
        long atLeast = Math.max(floor, partsFloor);
        CompletableFuture<Long> repaired = restoreParts(id, point, objects).thenCompose(x ->
                objects.chunks().isEmpty() && atLeast <= point.counter()
                ? CompletableFuture.completedFuture(point.counter())
                : repairs.repair(id, objects.chunks(), point.filledTo(), atLeast).thenApply(next -> {
                    LOG.atDebug().addKeyValue("recording", id).addKeyValue("listedFrom", point.filledTo())
                            .addKeyValue("listed", objects.chunks().size()).addKeyValue("floor", atLeast)
                            .addKeyValue("nextSeq", next).log("chunk counter repaired from storage");
                    return next;
                }));
        if (!behind) {
            return repaired.thenApply(next -> new Reconciled(next, point.state(), stored));
        }
        EndRecord e = end.get();
        return repaired.thenCompose(next -> repairs.settle(id, e.state(), e.voids(), e.fields()).thenCompose(s -> {
            if (s.kind() != SettleKind.SETTLED) {
                return CompletableFuture.completedFuture(new Reconciled(next, s.state(), stored));
            }
            LOG.atWarn().addKeyValue("recording", id).addKeyValue("redisState", s.state())
                    .addKeyValue("storedState", e.state()).log("Redis behind storage");
            return endings.settled(id, e).thenApply(x -> new Reconciled(next, e.state(), stored));
        }));
    }

    /** Records the part boundaries storage holds and Redis lost (a listing always sees every one of them). */
    private CompletableFuture<Void> restoreParts(RecordingId id, RepairPoint point, StoredObjects objects) {
        if (objects.parts().size() <= point.parts()) {
            return CompletableFuture.completedFuture(null);
        }
        return repairs.restoreParts(id, objects.parts()).thenAccept(added -> {
            if (added > 0) {
                LOG.atWarn().addKeyValue("recording", id).addKeyValue("restored", added)
                        .addKeyValue("stored", objects.parts().keySet()).log("part boundaries restored from storage");
            }
        });
    }

    /** A listing from {@code from} on, or one already running for this recording that started no later. */
    private CompletableFuture<StoredObjects> list(RecordingId id, long from) {
        Listing mine = new Listing(from, new CompletableFuture<>());
        Listing running = listings.putIfAbsent(id, mine);
        if (running != null) {
            if (running.from() <= from) {
                return running.objects();
            }
            return chunks.listFrom(id, from); // rare: Redis moved back since; not shared
        }
        chunks.listFrom(id, from).whenComplete((objects, error) -> {
            listings.remove(id, mine);
            if (error != null) {
                mine.objects().completeExceptionally(error);
            } else {
                mine.objects().complete(objects);
            }
        });
        return mine.objects();
    }
}
