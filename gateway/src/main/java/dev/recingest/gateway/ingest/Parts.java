package dev.recingest.gateway.ingest;

import dev.recingest.durable.PartLedger;
import dev.recingest.durable.Reconciler;
import dev.recingest.protocol.ErrorCode;
import dev.recingest.protocol.IngestException;
import dev.recingest.protocol.Message;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.Outcomes.PartKind;
import dev.recingest.state.Outcomes.PartOutcome;
import dev.recingest.state.IngestLedger;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code part} (PROTOCOL.md, "part"; docs/PROTOCOL-NOTES.md): the next chunk, seq = the recording's counter, is
 * the first of a new part. The connection has waited for its own chunks in flight (they were sent before the
 * {@code part}, so they belong to the previous part, and their indices are in the counter), and holds the chunks
 * that arrive after it until this answers. Then: Redis is made to agree with storage (a boundary or chunk Redis
 * lost comes back), part.lua decides what the part is without writing, storage records a new boundary
 * ({@link PartLedger}), and only then Redis (part.lua again, which checks the counter did not move). So every
 * boundary Redis or a client knows of is one storage keeps, and {@code partStarted} is sent after both.
 */
public final class Parts {

    private static final Logger LOG = LoggerFactory.getLogger(Parts.class);

    private final IngestLedger ledger;
    private final Reconciler reconciler;
    private final PartLedger boundaries;
    private final Clock clock;
    private final Recovery recovery;

    public Parts(IngestLedger ledger, Reconciler reconciler, PartLedger boundaries, Clock clock, Recovery recovery) {
        this.ledger = ledger;
        this.reconciler = reconciler;
        this.boundaries = boundaries;
        this.clock = clock;
        this.recovery = recovery;
    }

    /** Starts a part of the recording {@code owner} holds (or answers the one already started at the counter). */
    CompletableFuture<Message.PartStarted> start(Ownership owner) {
        RecordingId id = owner.id();
        return reconciler.reconcile(id, owner.knownNext())
                .thenCompose(r -> check(owner))
                .thenCompose(o -> {
                    if (!RecordingLifecycle.lostByRedis(o.kind() == PartKind.UNKNOWN, o.kind() == PartKind.TAKEN_OVER,
                            o.ownerEpoch(), owner)) {
                        return CompletableFuture.completedFuture(o);
                    }
                    // Redis lost the record, or the takeover that made this connection the owner.
                    return recovery.recover(owner, Recovery.Trouble.RECLAIM).thenCompose(x -> check(owner));
                })
                .thenCompose(o -> o.kind() != PartKind.NEW ? CompletableFuture.completedFuture(o)
                        // Storage first, Redis after: until a listing sees the mark, a resume must list.
                        : reconciler.storageGoesAhead(id)
                                .thenCompose(x -> boundaries.record(id, o.part(), o.firstSeq(), o.startedAt()))
                                .thenCompose(x -> ledger.part(id, owner.epoch(), true, o.firstSeq(), o.startedAt())))
                .thenApply(o -> answer(owner, o));
    }

    private CompletableFuture<PartOutcome> check(Ownership owner) {
        return ledger.part(owner.id(), owner.epoch(), false, -1, clock.millis());
    }

    private static Message.PartStarted answer(Ownership owner, PartOutcome o) {
        return switch (o.kind()) {
            case NEW, SAME -> {
                LOG.atInfo().addKeyValue("recording", owner.id()).addKeyValue("part", o.part())
                        .addKeyValue("firstSeq", o.firstSeq()).addKeyValue("again", o.kind() == PartKind.SAME)
                        .log("part started");
                yield new Message.PartStarted(o.part(), o.firstSeq());
            }
            case INCOMPLETE -> throw RecordingLifecycle.incomplete(o.missing());
            case NOT_OPEN -> throw RecordingLifecycle.notOpen(o.state());
            case TAKEN_OVER -> throw new IngestException(ErrorCode.TAKEN_OVER, "recording was taken over by another connection");
            // The counter moved between the check and the commit: only another owner's chunk can move it, and the
            // owner check would have caught that; answered retryably, a new part asks again.
            case MOVED, UNKNOWN -> throw new IngestException(ErrorCode.STORAGE_UNAVAILABLE,
                    "recording state changed while the part was recorded; send part again");
        };
    }
}
