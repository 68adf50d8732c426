package dev.recingest.gateway.ingest;

import dev.recingest.durable.Reconciler;
import dev.recingest.state.IngestLedger;
import dev.recingest.state.Outcomes.Assignment;
import dev.recingest.state.Outcomes.ReclaimKind;
import dev.recingest.state.SeqMode;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one owner of "make Redis agree with storage" for a connection that owns a recording, when Redis turns out
 * to know less than it should: the whole record is gone (a restart without persistence, keys deleted), the owner
 * epoch went back (Redis lost the takeover that gave it), or the index counter went back below indices already
 * handed out (a restart that lost its last writes, a failover to a lagging replica). Storage is the truth; the
 * connection's own start and the indices it has seen ({@link Ownership}) are the rest.
 *
 * <p>It decides what an assignment reveals ({@link #note}, {@link #verdict}), and runs recoveries: one per
 * connection at a time, the chunk frames' assignments waiting in frame order meanwhile ({@link RecoveryTurns}).
 * The chunk writer, {@code stop}, {@code abort} and {@code part} all go through it; it costs nothing on the
 * normal path. Stateless and shared by every connection (wired once, in {@link IngestServices}).
 */
public final class Recovery {

    private static final Logger LOG = LoggerFactory.getLogger(Recovery.class);

    /** Why a recovery runs. */
    enum Trouble {
        /** The meta record is gone, or holds an older epoch than the connection's: take it back, then repair. */
        RECLAIM,
        /** The counter is behind: list storage and move it past every stored and every handed-out index. */
        REPAIR
    }

    /** What to do with an assignment Redis answered. */
    enum Verdict {
        USE,
        /** It was issued under an epoch or a recovery generation the connection has since left: ask again. */
        ASK_AGAIN,
        RECLAIM,
        REPAIR
    }

    private final IngestLedger ledger;
    private final Reconciler reconciler;

    public Recovery(IngestLedger ledger, Reconciler reconciler) {
        this.ledger = ledger;
        this.reconciler = reconciler;
    }

    /** Runs {@code task} now, or once the recovery running for {@code o} ends; see {@link RecoveryTurns#whenSettled}. */
    void whenSettled(Ownership o, long frame, Consumer<Throwable> task) {
        RecoveryTurns turns = o.turnsIfAny();
        if (turns == null) {
            task.accept(null); // no recovery ever ran for this connection (a recovery starting now bumps the generation)
        } else {
            turns.whenSettled(frame, task);
        }
    }

    /** Changes whenever a recovery of {@code o} starts: an assignment issued under an older one is suspect. */
    long generation(Ownership o) {
        RecoveryTurns turns = o.turnsIfAny();
        return turns == null ? 0 : turns.generation();
    }

    /** Starts a recovery of {@code o} for {@code trouble}, or joins the one running. */
    CompletableFuture<Void> recover(Ownership o, Trouble trouble) {
        CompletableFuture<Void> mine = new CompletableFuture<>();
        CompletableFuture<Void> running = o.turns().joinOrBegin(mine);
        if (running != null) {
            return running;
        }
        CompletableFuture<Void> work;
        try {
            work = trouble == Trouble.RECLAIM ? reclaim(o) : repair(o);
        } catch (RuntimeException e) {
            work = CompletableFuture.failedFuture(e);
        }
        work.whenComplete((x, error) -> {
            o.turns().end(error);
            if (error != null) {
                mine.completeExceptionally(error);
            } else {
                mine.complete(null);
            }
        });
        return mine;
    }

    /**
     * Notes in {@code o} what a NEW or RESEND assignment shows (the seq mode, the highest index handed out);
     * false when a new at-least-once index is below one handed out before: Redis went back.
     */
    static boolean note(Ownership o, Assignment a, SeqMode mode) {
        switch (a.kind()) {
            case NEW:
                o.seqMode(mode);
                if (mode == SeqMode.EXPLICIT) {
                    o.noteSeq(a.index());
                    return true;
                }
                return o.noteAssigned(a.index());
            case RESEND:
                o.noteSeq(a.index());
                return true;
            default:
                return true;
        }
    }

    /**
     * What to do with an assignment (a check: changes nothing).
     *
     * @param consistent     what {@link #note} answered for it
     * @param askedEpoch     the epoch it was asked with
     * @param epochNow       the connection's epoch now
     * @param recoveredSince a recovery started since it was asked
     * @param round          how many times this chunk has asked already
     */
    static Verdict verdict(Assignment a, SeqMode mode, boolean consistent, long askedEpoch, long epochNow,
                           boolean recoveredSince, int round) {
        return switch (a.kind()) {
            case UNKNOWN -> Verdict.RECLAIM;
            // Asked with an epoch this connection has since replaced: ask again; else a lower owner epoch in Redis
            // than the connection's means Redis lost the takeover that gave it.
            case TAKEN_OVER -> recoveredSince || askedEpoch != epochNow ? Verdict.ASK_AGAIN
                    : a.ownerEpoch() < askedEpoch ? Verdict.RECLAIM : Verdict.USE;
            // An explicit seq ahead of the counter: Redis may have lost indices that storage holds.
            case GAP -> round == 0 ? Verdict.REPAIR : Verdict.USE;
            // Below an index handed out before: Redis went back. Issued before a recovery started: frames after it
            // may get lower indices, so this one is left unused (void at stop) and the frame asks again in its place.
            case NEW -> mode == SeqMode.EXPLICIT ? Verdict.USE
                    : !consistent ? Verdict.REPAIR
                    : recoveredSince ? Verdict.ASK_AGAIN : Verdict.USE;
            default -> Verdict.USE;
        };
    }

    private CompletableFuture<Void> reclaim(Ownership o) {
        long before = o.epoch();
        return ledger.reclaim(o.id(), before, o.contentType(), o.mode(), o.metadata(), o.seqMode())
                .thenCompose(r -> {
                    if (r.kind() != ReclaimKind.RECLAIMED) {
                        // A newer owner, or the recording ended: the retried write gets the final answer.
                        LOG.atInfo().addKeyValue("recording", o.id()).addKeyValue("outcome", r.kind())
                                .addKeyValue("state", r.state()).log("reclaim refused");
                        return CompletableFuture.completedFuture(null);
                    }
                    o.epoch(r.epoch());
                    LOG.atWarn().addKeyValue("recording", o.id()).addKeyValue("epochBefore", before)
                            .addKeyValue("epoch", r.epoch()).addKeyValue("knownNext", o.knownNext())
                            .log("recording reclaimed after Redis lost it");
                    return repair(o);
                });
    }

    private CompletableFuture<Void> repair(Ownership o) {
        long floor = o.knownNext();
        return reconciler.reconcile(o.id(), floor).thenAccept(r -> LOG.atWarn().addKeyValue("recording", o.id())
                .addKeyValue("floor", floor).addKeyValue("nextSeq", r.nextSeq()).addKeyValue("state", r.state())
                .log("recording state repaired from storage"));
    }
}
