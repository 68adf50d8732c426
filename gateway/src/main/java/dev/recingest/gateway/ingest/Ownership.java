package dev.recingest.gateway.ingest;

import dev.recingest.protocol.Mode;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.SeqMode;

/**
 * The recording as one connection owns it: what its {@code start} said (enough to re-create the record
 * if Redis loses it), its owner epoch (which changes when the connection reclaims the recording), and
 * {@code knownNext}, below which every index is known to have been handed out, so that a Redis that
 * went back (a restart that lost its last writes, keys deleted) is noticed before an index is used twice.
 *
 * <p>Plain state: {@link Recovery} changes the epoch, {@code ChunkWriter} notes what assignments show.
 * Shared by the connection's event loop and the Redis and S3 completion threads: fields are volatile or
 * guarded by {@code this}.
 */
final class Ownership {

    private final RecordingId id;
    private final String contentType;
    private final Mode mode;
    private final String metadata;
    private volatile long epoch;
    private volatile SeqMode seqMode;
    private volatile long knownNext;
    private long frames;
    /** Made by the first recovery: most connections never need one, and an idle connection should cost little heap. */
    private RecoveryTurns turns;

    Ownership(RecordingId id, long epoch, long nextSeq, String contentType, Mode mode, String metadata,
              SeqMode seqMode) {
        this.id = id;
        this.epoch = epoch;
        this.knownNext = nextSeq;
        this.contentType = contentType;
        this.mode = mode;
        this.metadata = metadata;
        this.seqMode = seqMode;
    }

    RecordingId id() {
        return id;
    }

    long epoch() {
        return epoch;
    }

    void epoch(long newEpoch) {
        epoch = newEpoch;
    }

    String contentType() {
        return contentType;
    }

    Mode mode() {
        return mode;
    }

    String metadata() {
        return metadata;
    }

    /** The seq mode once a chunk (or the record at start) set it; null before. */
    SeqMode seqMode() {
        return seqMode;
    }

    void seqMode(SeqMode m) {
        seqMode = m;
    }

    long knownNext() {
        return knownNext;
    }

    /** Notes an index Redis handed out; returns false if it is below one handed out before (Redis went back). */
    synchronized boolean noteAssigned(long index) {
        if (index < knownNext) {
            return false;
        }
        knownNext = index + 1;
        return true;
    }

    /** Notes an explicit-mode index (index == seq): resends are below knownNext by nature. */
    synchronized void noteSeq(long index) {
        knownNext = Math.max(knownNext, index + 1);
    }

    /** The ordinal of a new chunk frame; called on the event loop in arrival order. */
    long nextFrame() {
        return frames++;
    }

    /** Turn-taking with this connection's recoveries (run by {@link Recovery}), made by the first call. */
    synchronized RecoveryTurns turns() {
        if (turns == null) {
            turns = new RecoveryTurns();
        }
        return turns;
    }

    /** The turn-taking if a recovery ever ran, else null: then nothing waits and the generation is 0. */
    synchronized RecoveryTurns turnsIfAny() {
        return turns;
    }
}
