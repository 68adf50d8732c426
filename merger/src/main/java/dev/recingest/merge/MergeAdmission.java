package dev.recingest.merge;

import dev.recingest.durable.Reconciler;
import dev.recingest.merge.MergeMetrics.Outcome;
import dev.recingest.merge.RecordingMerger.Disposition;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.Recording;
import dev.recingest.state.RecordingState;
import dev.recingest.state.RecordingStore;
import java.time.Duration;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides whether a job becomes a merge attempt: only for a recording that is STOPPED or MERGING under no live lease
 * (a duplicate job for a recording being merged is left pending rather than starting a competing attempt), with
 * attempts left and room in the work directory (a merge that does not fit now waits in the queue without using an
 * attempt). An admitted job moves the recording to MERGING and gets an attempt number and id
 * ({@link RecordingStore#beginMergeAttempt}), which its {@link Lease} covers from then on.
 */
final class MergeAdmission {

    /** What admission decided. */
    sealed interface Verdict {
    }

    /** Nothing to merge now: the worker does {@code disposition} with the job. */
    record Decided(Disposition disposition) implements Verdict {
    }

    /** The recording fails without a merge ({@code room}, if any, is released by the caller). */
    record Refused(Recording rec, MergeFailure failure, WorkSpace.Reservation room) implements Verdict {
    }

    /** An attempt begins, with {@code room} reserved in the work directory until it ends. */
    /** @param reconcileMs how long making Redis agree with storage took (a LIST of the recording's last objects) */
    record Admitted(Recording rec, WorkSpace.Reservation room, long reconcileMs) implements Verdict {
    }

    private static final Logger LOG = LoggerFactory.getLogger(MergeAdmission.class);
    private static final Duration REDIS_WAIT = Duration.ofSeconds(30);
    private static final Duration STORAGE_WAIT = Duration.ofMinutes(30);

    private final MergerConfig config;
    private final RecordingStore recordings;
    private final Reconciler reconciler;
    private final Conclusion conclusion;
    private final WorkSpace workSpace;
    private final MergeMetrics metrics;
    private final Lease.Terms leaseTerms;

    MergeAdmission(MergerConfig config, RecordingStore recordings, Reconciler reconciler, Conclusion conclusion,
                   WorkSpace workSpace, MergeMetrics metrics, Lease.Terms leaseTerms) {
        this.config = config;
        this.recordings = recordings;
        this.reconciler = reconciler;
        this.conclusion = conclusion;
        this.workSpace = workSpace;
        this.metrics = metrics;
        this.leaseTerms = leaseTerms;
    }

    /** Looks at the job for {@code id}; a MergeFailure of Redis means it cannot be decided now. */
    Verdict admit(RecordingId id, Lease lease) throws InterruptedException {
        // Storage is what was acked: a job re-delivered after its outcome was written, or after Redis went
        // back past it, finds the outcome storage records (a COMPLETED recording is never failed for its
        // deleted chunks), and a stop Redis lost its chunks of is merged with all of them.
        long reconciling = System.nanoTime();
        agreeWithStorage(id);
        long reconcileMs = (System.nanoTime() - reconciling) / 1_000_000;
        Optional<Recording> found = Await.within(recordings.get(id), REDIS_WAIT);
        if (found.isEmpty() || !RecordingMerger.MERGEABLE.contains(found.get().state())) {
            return notMergeable(id, found);
        }
        Recording rec = found.get();
        if (rec.state() == RecordingState.MERGING) {
            long leaseLeft = leaseTerms.millisLeft(id);
            if (leaseLeft > 0) {
                LOG.atInfo().addKeyValue("recording", id).addKeyValue("reason", "in-progress-elsewhere")
                        .addKeyValue("attempt", rec.mergeAttempts()).addKeyValue("leaseLeftMs", leaseLeft)
                        .log("merge deferred");
                metrics.record(Outcome.SKIPPED, Duration.ZERO);
                return new Decided(Disposition.LEAVE_PENDING);
            }
        }
        if (rec.mergeAttempts() >= config.maxAttempts()) {
            // Earlier attempts ended without recording an outcome: their workers died or were stopped.
            return new Refused(rec, new MergeFailure(MergeError.WORKER_LOST, rec.mergeAttempts()
                    + " merge attempts ended without an outcome (worker lost or stopped)"), null);
        }
        WorkSpace.Reservation room = workSpace.reserve(MergePipeline.diskNeeded(rec));
        boolean handedOver = false;
        try {
            if (room.fit() == WorkSpace.Fit.LATER) {
                LOG.atWarn().addKeyValue("recording", id).addKeyValue("reason", "no-disk-space")
                        .addKeyValue("detail", room.describe()).log("merge deferred");
                metrics.record(Outcome.DEFERRED, Duration.ZERO);
                return new Decided(Disposition.LEAVE_PENDING);
            }
            if (!Await.within(recordings.transition(id, RecordingMerger.MERGEABLE, RecordingState.MERGING,
                    leaseTerms.fromNow()), REDIS_WAIT).ok()) {
                LOG.atInfo().addKeyValue("recording", id).addKeyValue("reason", "state-changed").log("merge skipped");
                metrics.record(Outcome.SKIPPED, Duration.ZERO);
                return new Decided(Disposition.ACK);
            }
            RecordingStore.MergeAttempt attempt = Await.within(recordings.beginMergeAttempt(id), REDIS_WAIT);
            lease.begin(id, attempt, leaseTerms);
            handedOver = true;
            if (room.fit() == WorkSpace.Fit.NEVER) {
                return new Refused(rec, new MergeFailure(MergeError.NO_SPACE, "the merge " + room.describe()), room);
            }
            return new Admitted(rec, room, reconcileMs);
        } finally {
            if (!handedOver) {
                room.close();
            }
        }
    }

    /** A job for a recording that is not STOPPED or MERGING: announces an outcome still owed, else says why not. */
    private Verdict notMergeable(RecordingId id, Optional<Recording> found) throws InterruptedException {
        String state = found.map(r -> r.state().name()).orElse("unknown");
        if (found.isPresent() && Conclusion.pending(found.get().state(), Await.within(recordings.fields(id), REDIS_WAIT))) {
            // The worker that recorded this outcome died (or lost the outbox) before announcing it.
            LOG.atInfo().addKeyValue("recording", id).addKeyValue("reason", "outcome-not-announced")
                    .addKeyValue("state", state).log("merge skipped");
            if (!conclusion.conclude(id, found.get().state())) {
                metrics.record(Outcome.SKIPPED, Duration.ZERO);
                return new Decided(Disposition.LEAVE_PENDING);
            }
        } else if (found.isPresent() && found.get().state() == RecordingState.COMPLETED) {
            LOG.atInfo().addKeyValue("recording", id).addKeyValue("reason", "already-completed").log("merge skipped");
        } else {
            LOG.atWarn().addKeyValue("recording", id).addKeyValue("reason", "not-mergeable").addKeyValue("state", state)
                    .log("merge skipped");
        }
        metrics.record(Outcome.SKIPPED, Duration.ZERO);
        return new Decided(Disposition.ACK);
    }

    /**
     * Makes Redis agree with storage before the job is looked at. When storage cannot be reached the job goes
     * on with what Redis says: its attempt then fails on the same storage, and counts, as it always did.
     */
    private void agreeWithStorage(RecordingId id) throws InterruptedException {
        try {
            Await.within(reconciler.reconcile(id, 0), STORAGE_WAIT);
        } catch (MergeFailure e) {
            LOG.atWarn().addKeyValue("recording", id).addKeyValue("reason", e.getMessage())
                    .log("merge admission without reconcile");
        }
    }
}
