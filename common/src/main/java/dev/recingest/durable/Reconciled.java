package dev.recingest.durable;

import dev.recingest.state.RecordingState;

/**
 * Redis and storage after {@link Reconciler#reconcile}.
 *
 * @param nextSeq the index counter afterwards
 * @param state   the recording's state in Redis afterwards; null when Redis has no record of it
 * @param stored  the end storage records (its manifest's or tombstone's state); null when none
 * @param proof   the proof of Redis seen before the listing, for the start to record
 *                ({@link Reconciler#reconcileToOpen}); null for none
 */
public record Reconciled(long nextSeq, RecordingState state, RecordingState stored, String proof) {

    public Reconciled(long nextSeq, RecordingState state, RecordingState stored) {
        this(nextSeq, state, stored, null);
    }

    /**
     * The state a client is told when it asks to open the recording and may not: the later of Redis's and
     * storage's when either says the recording ended; null when it may be opened (open, or unknown to both).
     */
    public RecordingState ended() {
        if (stored == null) {
            return state != null && !state.open() ? state : null;
        }
        return state != null && state.progress() >= stored.progress() ? state : stored;
    }
}
