package dev.recingest.merge;

import dev.recingest.protocol.RecordingId;
import dev.recingest.state.Outcomes.Transition;
import dev.recingest.state.Outcomes.TransitionKind;
import dev.recingest.state.MetaFields;
import dev.recingest.state.RecordingState;
import dev.recingest.state.RecordingStore;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker's claim on the job it is merging, the one lease of a merge: its queue entry (which XAUTOCLAIM hands to
 * another worker once idle for the visibility timeout) and, once the attempt is admitted, the recording's
 * {@code mergeLeaseUntil} ({@link MetaFields#MERGE_LEASE_UNTIL}) (which keeps a duplicate job for the recording from starting a competing attempt). Both are
 * renewed together, by {@link #renew} (the worker schedules it every third of the visibility timeout), the
 * recording first so that its lease never ends before the queue entry can be claimed. When a renewal finds the
 * entry taken by another consumer or gone, or the recording moved on to another attempt, the lease is lost and the
 * merge must not publish.
 *
 * <p>The recording's side is fenced on the attempt's id ({@link MetaFields#MERGE_ATTEMPT_ID}): a renewal of a
 * superseded attempt changes nothing. (The live rendition's {@code LiveLease} is another mechanism, a Redis key
 * held by a token, for another claim; the two share nothing but the word.)
 */
public final class Lease {

    /** Meta field of the recording: epoch ms until which the running attempt's lease holds (0: released). */
    private static final Logger LOG = LoggerFactory.getLogger(Lease.class);
    private static final Duration REDIS_WAIT = Duration.ofSeconds(30);

    /** The queue side of a lease: the job's entry, extended by each renewal. */
    @FunctionalInterface
    interface QueueEntry {
        /** Extends the entry's idle time; false when another consumer holds it now, or it is gone. */
        boolean extend();
    }

    /** How the recording side is written: the store, the clock and the lease's length (the visibility timeout). */
    record Terms(RecordingStore recordings, Clock clock, Duration length) {

        /** The recording's lease fields, held from now. */
        Map<String, String> fromNow() {
            return Map.of(MetaFields.MERGE_LEASE_UNTIL, Long.toString(clock.millis() + length.toMillis()));
        }

        /** How long the lease on the recording still holds (whichever attempt holds it); zero or less: it has ended. */
        long millisLeft(RecordingId id) throws InterruptedException {
            String v = Await.within(recordings.fields(id), REDIS_WAIT).get(MetaFields.MERGE_LEASE_UNTIL);
            return (v == null || v.isEmpty() ? 0 : Long.parseLong(v)) - clock.millis();
        }
    }

    private final QueueEntry entry;
    private volatile boolean lost;
    private volatile long attempt;
    private volatile String attemptId;
    private volatile RecordingId recording;
    private volatile Terms terms;

    private Lease(RecordingId recording, QueueEntry entry) {
        this.recording = recording;
        this.entry = entry;
    }

    /** A lease that is never lost by the queue, for a merge run outside a worker (tests, tools). */
    public Lease() {
        this(null, () -> true);
    }

    /** A lease that is never lost by the queue, for a merge run outside a worker (tests, tools). */
    public static Lease unmanaged() {
        return new Lease();
    }

    /** The lease of a job for {@code recording} taken from the queue, {@code entry} being its entry there. */
    static Lease onQueueEntry(RecordingId recording, QueueEntry entry) {
        return new Lease(recording, entry);
    }

    public void lose() {
        lost = true;
    }

    public boolean held() {
        return !lost;
    }

    /** The merge attempt this lease covers, once it has one; 0 before. */
    long attempt() {
        return attempt;
    }

    /** The id of that attempt (what its steps are fenced on in Redis), or null before it has one. */
    String attemptId() {
        return attemptId;
    }

    /** The attempt is admitted: from now on the lease covers it on the recording too. */
    void begin(RecordingId id, RecordingStore.MergeAttempt admitted, Terms terms) {
        this.recording = id;
        this.terms = terms;
        this.attemptId = admitted.id();
        this.attempt = admitted.number();
    }

    /**
     * Renews the lease, the recording's side (once there is an attempt) before the queue entry; loses it when either
     * is held by someone else now.
     */
    void renew() throws InterruptedException {
        if (!held()) {
            return;
        }
        Terms t = terms;
        if (t != null && attemptId != null) {
            Transition renewed = Await.within(t.recordings().transitionIf(recording, List.of(RecordingState.MERGING),
                    RecordingState.MERGING, MetaFields.MERGE_ATTEMPT_ID, attemptId, t.fromNow()), REDIS_WAIT);
            if (!renewed.ok()) {
                // Another attempt took the recording over, or it was deleted, or its outcome is recorded (a
                // renewal that ran just after this attempt's own): this attempt can only lose now.
                boolean ended = renewed.kind() == TransitionKind.REFUSED && (renewed.previous() == RecordingState.COMPLETED
                        || renewed.previous() == RecordingState.FAILED);
                if (!ended) {
                    LOG.atWarn().addKeyValue("recording", recording).addKeyValue("attempt", attempt)
                            .addKeyValue("outcome", renewed.kind()).addKeyValue("state", renewed.previous())
                            .log("merge lease lost");
                }
                lose();
                return;
            }
        }
        if (!entry.extend()) {
            LOG.atWarn().addKeyValue("recording", recording).addKeyValue("reason", "queue entry taken or gone")
                    .log("merge lease lost");
            lose();
        }
    }

    /** Lets the retry of an attempt that ends without an outcome start at once, unless a later attempt runs. */
    void release() {
        Terms t = terms;
        if (t == null || attemptId == null) {
            return;
        }
        try {
            Await.within(t.recordings().transitionIf(recording, List.of(RecordingState.MERGING), RecordingState.MERGING,
                    MetaFields.MERGE_ATTEMPT_ID, attemptId, Map.of(MetaFields.MERGE_LEASE_UNTIL, "0")), REDIS_WAIT);
        } catch (MergeFailure e) {
            LOG.atDebug().addKeyValue("recording", recording).addKeyValue("reason", e.getMessage())
                    .log("merge lease not released");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
