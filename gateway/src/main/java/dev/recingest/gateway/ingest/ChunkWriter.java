package dev.recingest.gateway.ingest;

import dev.recingest.durable.Reconciler;
import dev.recingest.gateway.ingest.Recovery.Trouble;
import dev.recingest.protocol.ChunkFrame;
import dev.recingest.protocol.ErrorCode;
import dev.recingest.protocol.ErrorDetail;
import dev.recingest.protocol.IngestException;
import dev.recingest.state.Outcomes.AssignKind;
import dev.recingest.state.Outcomes.Assignment;
import dev.recingest.state.Outcomes.CommitKind;
import dev.recingest.state.RecordingStore;
import dev.recingest.state.SeqMode;
import dev.recingest.storage.ChunkStore;
import io.netty.buffer.ByteBuf;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hot path of one chunk: assign its index (one script call), store it (one PUT), record it (one
 * script call), answer. Nothing is acked that is not durable in storage and recorded in Redis.
 * Takes ownership of the payload and releases it exactly once on every path.
 *
 * <p>An assignment that shows Redis knows less than the connection does (record gone, epoch or counter
 * gone back) is not used: the connection recovers ({@link Recovery}) and assigns again. In at-least-once
 * mode an index below one already handed out is never stored to, so no chunk object is overwritten by
 * a different chunk; in explicit mode index == seq makes every rewrite one of the same chunk.
 */
public final class ChunkWriter {

    private static final Logger LOG = LoggerFactory.getLogger(ChunkWriter.class);
    /** Recoveries one chunk may go through before it is nacked (retryable). */
    private static final int MAX_ROUNDS = 4;

    private final RecordingStore store;
    private final ChunkStore chunks;
    private final Recovery recovery;

    public ChunkWriter(RecordingStore store, ChunkStore chunks, Reconciler reconciler) {
        this.store = store;
        this.chunks = chunks;
        this.recovery = new Recovery(store, reconciler);
    }

    Recovery recovery() {
        return recovery;
    }

    /**
     * Writes one chunk of the recording {@code o} owns; call on the event loop; never completes exceptionally.
     * The S3 request is built on {@code eventLoop}, never on the Redis client's thread that completes the
     * assignment: that thread is shared by every connection, and while it builds SDK requests (marshalling,
     * endpoint rules, signing) it decodes no Redis replies, which the profile showed as command timeouts.
     */
    CompletableFuture<ChunkResult> write(Ownership o, long seq, ByteBuf payload, Executor eventLoop) {
        SeqMode mode = seq == ChunkFrame.AUTO_SEQ ? SeqMode.AUTO : SeqMode.EXPLICIT;
        CompletableFuture<Assignment> assigned = new CompletableFuture<>();
        assign(o, o.nextFrame(), seq, mode, 0, assigned);
        return assigned.handleAsync((a, error) -> {
            if (error != null) {
                payload.release();
                LOG.warn("recordingId={} seq={} event=assign-failed error={}", o.id(), seq, rootMessage(error));
                return done(nackRetryable(seq, "state store unavailable, resend later"));
            }
            return afterAssign(o, seq, mode, a, payload);
        }, eventLoop).thenCompose(f -> f);
    }

    /** What to do with an assignment Redis answered. */
    private enum Verdict { USE, ASK_AGAIN, RECLAIM, REPAIR }

    /**
     * Assigns once no recovery runs. An assignment that reveals trouble starts a recovery (or joins the
     * running one) and is asked again after it, in its frame's place.
     */
    private void assign(Ownership o, long frame, long seq, SeqMode mode, int round, CompletableFuture<Assignment> out) {
        o.whenSettled(frame, recoveryError -> {
            if (recoveryError != null) {
                out.completeExceptionally(recoveryError);
                return;
            }
            long generation = o.generation();
            long epoch = o.epoch();
            store.assign(o.id(), epoch, seq, mode).whenComplete((a, error) -> {
                if (error != null) {
                    out.completeExceptionally(error);
                    return;
                }
                Verdict verdict = verdict(o, a, mode, epoch, generation, round);
                if (verdict == Verdict.USE) {
                    out.complete(a);
                } else if (round >= MAX_ROUNDS) {
                    out.completeExceptionally(new IngestException(ErrorCode.STORAGE_UNAVAILABLE,
                            "recording state could not be restored after " + round + " attempts"));
                } else {
                    if (verdict != Verdict.ASK_AGAIN) {
                        recovery.recover(o, verdict == Verdict.RECLAIM ? Trouble.RECLAIM : Trouble.REPAIR);
                    }
                    // Queued before the recovery can end, so the retry keeps its place in frame order.
                    assign(o, frame, seq, mode, round + 1, out);
                }
            });
        });
    }

    private static Verdict verdict(Ownership o, Assignment a, SeqMode mode, long epoch, long generation, int round) {
        boolean recoveredSince = generation != o.generation();
        switch (a.kind()) {
            case UNKNOWN:
                return Verdict.RECLAIM;
            case TAKEN_OVER:
                if (recoveredSince || epoch != o.epoch()) {
                    return Verdict.ASK_AGAIN; // asked with an epoch this connection has since replaced
                }
                return a.ownerEpoch() < epoch ? Verdict.RECLAIM : Verdict.USE;
            case GAP:
                // An explicit seq ahead of the counter: Redis may have lost indices that storage holds.
                return round == 0 ? Verdict.REPAIR : Verdict.USE;
            case NEW:
                o.seqMode(mode);
                if (mode == SeqMode.EXPLICIT) {
                    o.noteSeq(a.index());
                    return Verdict.USE;
                }
                if (!o.noteAssigned(a.index())) {
                    return Verdict.REPAIR; // below an index handed out before: Redis went back
                }
                // Issued before a recovery started: frames after it may get lower indices, so this one is
                // left unused (void at stop) and the frame asks again in its place.
                return recoveredSince ? Verdict.ASK_AGAIN : Verdict.USE;
            case RESEND:
                o.noteSeq(a.index());
                return Verdict.USE;
            default:
                return Verdict.USE;
        }
    }

    private CompletableFuture<ChunkResult> afterAssign(Ownership o, long seq, SeqMode mode, Assignment a,
                                                       ByteBuf payload) {
        switch (a.kind()) {
            case NEW:
                return storeAndCommit(o, seq, mode, a.index(), payload);
            case RESEND:
                if (a.storedSize() >= 0) {
                    payload.release();
                    return done(new ChunkResult.Acked(seq, a.index(), a.storedSize()));
                }
                // Assigned before but never stored (nacked, or lost with a dead gateway): index == seq, so
                // rewriting it with the resent bytes is safe.
                return storeAndCommit(o, seq, mode, a.index(), payload);
            case GAP:
                payload.release();
                return done(new ChunkResult.Gap(seq, a.expected()));
            case NOT_OPEN:
                payload.release();
                return done(new ChunkResult.Fatal(new IngestException(ErrorCode.NOT_OPEN,
                        "recording is " + a.state(), new ErrorDetail.State(a.state().name()))));
            case TAKEN_OVER:
                payload.release();
                return done(new ChunkResult.Fatal(new IngestException(ErrorCode.TAKEN_OVER,
                        "recording was taken over by another connection")));
            case MODE_MIX:
                payload.release();
                return done(new ChunkResult.Fatal(new IngestException(ErrorCode.BAD_REQUEST,
                        "a recording uses one seq mode for its whole life: explicit seqs or -1, not both")));
            case UNKNOWN:
            default:
                payload.release();
                return done(nackRetryable(seq, "recording state is being restored, resend later"));
        }
    }

    private CompletableFuture<ChunkResult> storeAndCommit(Ownership o, long seq, SeqMode mode, long index,
                                                          ByteBuf payload) {
        long size = payload.readableBytes();
        return chunks.putChunk(o.id(), index, payload)
                .handle((stored, putError) -> {
                    if (putError != null) {
                        LOG.warn("recordingId={} seq={} index={} event=store-failed error={}", o.id(), seq, index,
                                rootMessage(putError));
                        return notStored(o, seq, mode, index);
                    }
                    return store.commit(o.id(), index, size).<ChunkResult>thenApply(kind -> kind == CommitKind.VOID
                            ? new ChunkResult.Nacked(seq, false, index, "index " + index + " was given up as void")
                            : new ChunkResult.Acked(seq, index, size))
                            .exceptionally(commitError -> {
                                // Durable but not recorded (Redis unreachable): a repair records it later. In
                                // at-least-once mode the resend becomes a new chunk, which beats losing this one.
                                LOG.warn("recordingId={} seq={} index={} event=commit-failed error={}", o.id(), seq,
                                        index, rootMessage(commitError));
                                return new ChunkResult.Nacked(seq, true, mode == SeqMode.AUTO ? index : null,
                                        "chunk stored but not recorded, resend it");
                            });
                })
                .thenCompose(f -> f);
    }

    private CompletableFuture<ChunkResult> notStored(Ownership o, long seq, SeqMode mode, long index) {
        if (mode == SeqMode.EXPLICIT) {
            return done(nackRetryable(seq, "chunk could not be stored, resend it"));
        }
        // At-least-once: a resend would get a new index, so this one stays empty for good.
        return store.markVoid(o.id(), index)
                .handle((marked, e) -> new ChunkResult.Nacked(seq, false, index,
                        "chunk could not be stored; index " + index + " is void"));
    }

    private static ChunkResult nackRetryable(long seq, String message) {
        return new ChunkResult.Nacked(seq, true, null, message);
    }

    private static <T> CompletableFuture<T> done(T value) {
        return CompletableFuture.completedFuture(value);
    }

    static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null) {
            c = c.getCause();
        }
        return c.getClass().getSimpleName() + ": " + c.getMessage();
    }
}
