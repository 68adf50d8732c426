package dev.recingest.state;

import java.util.List;

/** What the recording scripts answer, as types instead of Redis reply lists. */
public final class Outcomes {

    private Outcomes() {
    }

    public enum StartKind { CREATED, RESUMED, NOT_OPEN }

    /**
     * @param state the recording's state when NOT_OPEN; otherwise null.
     * @param parts how many parts the recording has (1 until a part boundary is recorded)
     */
    public record StartOutcome(StartKind kind, long epoch, long nextSeq, SeqMode seqMode, RecordingState state,
                               int parts) {
    }

    public enum AssignKind { NEW, RESEND, GAP, NOT_OPEN, TAKEN_OVER, MODE_MIX, UNKNOWN }

    /**
     * @param index       the chunk's index (NEW, RESEND)
     * @param storedSize  RESEND: the stored size, or -1 if it was never stored
     * @param expected    GAP: the next seq the gateway expects
     * @param state       NOT_OPEN: the recording's state
     * @param ownerEpoch  TAKEN_OVER: the epoch Redis holds (lower than the caller's: Redis lost a takeover)
     */
    public record Assignment(AssignKind kind, long index, long storedSize, long expected, RecordingState state,
                             long ownerEpoch) {
    }

    public enum CommitKind {
        /** This call recorded the chunk. */
        RECORDED,
        /** It was recorded before (a resend, or a repair from storage got there first). */
        ALREADY,
        /** The index is void (at-least-once; a stop gave it up): the chunk must not be acked. */
        VOID
    }

    public enum StopKind { STOPPED, INCOMPLETE, AHEAD, BEHIND, NOT_OPEN, TAKEN_OVER, UNKNOWN }

    /**
     * @param chunks  the index counter N
     * @param indices INCOMPLETE: missing indices (at most 1000); STOPPED: void indices
     * @param ownerEpoch TAKEN_OVER: the epoch Redis holds
     */
    public record StopOutcome(StopKind kind, long chunks, long bytes, List<Long> indices, RecordingState state,
                              long ownerEpoch) {
    }

    public enum PartKind {
        /** Nothing since the last part started (or no chunk yet): that part's answer again. */
        SAME,
        /** A new part: to be recorded (the check), or recorded (the commit). */
        NEW,
        /** Explicit seqs below the counter that are not stored: the previous part is not whole yet. */
        INCOMPLETE,
        /** The counter moved between the check and the commit. */
        MOVED,
        NOT_OPEN, TAKEN_OVER, UNKNOWN
    }

    /**
     * @param part       SAME, NEW: the part's number (0 is the one the recording started with)
     * @param firstSeq   SAME, NEW: its first chunk; INCOMPLETE, MOVED: the counter
     * @param startedAt  SAME, NEW: when it started (epoch ms)
     * @param missing    INCOMPLETE: indices below the counter that are not stored (at most 1000)
     * @param state      NOT_OPEN: the recording's state
     * @param ownerEpoch TAKEN_OVER: the epoch Redis holds
     */
    public record PartOutcome(PartKind kind, int part, long firstSeq, long startedAt, List<Long> missing,
                              RecordingState state, long ownerEpoch) {
    }

    public enum ReclaimKind { RECLAIMED, TAKEN_OVER, NOT_OPEN }

    /**
     * @param epoch RECLAIMED: the connection's epoch from now on; TAKEN_OVER: the newer owner's
     * @param state NOT_OPEN: the recording's state
     */
    public record Reclaim(ReclaimKind kind, long epoch, RecordingState state) {
    }

    public enum AbortKind { ABORTED, NOT_OPEN, TAKEN_OVER, UNKNOWN }

    /**
     * @param state      NOT_OPEN: the recording's state
     * @param ownerEpoch TAKEN_OVER: the epoch Redis holds
     */
    public record AbortOutcome(AbortKind kind, RecordingState state, long ownerEpoch) {
    }

    /** FENCED: the state allowed it, but the fence field no longer had the expected value (another merge attempt). */
    public enum TransitionKind { OK, REFUSED, FENCED, UNKNOWN }

    public record Transition(TransitionKind kind, RecordingState previous) {
        public boolean ok() {
            return kind == TransitionKind.OK;
        }
    }
}
