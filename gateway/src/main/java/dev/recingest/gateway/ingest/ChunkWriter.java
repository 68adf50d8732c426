package dev.recingest.gateway.ingest;

import dev.recingest.gateway.ingest.Recovery.Trouble;
import dev.recingest.gateway.ingest.Recovery.Verdict;
import dev.recingest.protocol.ChunkFrame;
import dev.recingest.protocol.ErrorCode;
import dev.recingest.protocol.ErrorDetail;
import dev.recingest.protocol.IngestException;
import dev.recingest.state.Outcomes.AssignKind;
import dev.recingest.state.Outcomes.Assignment;
import dev.recingest.state.Outcomes.CommitKind;
import dev.recingest.state.IngestLedger;
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
 * Takes ownership of the payload and releases it exactly once, in one place ({@link #write}): the storage
 * call gets a reference of its own.
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

    private final IngestLedger ledger;
    private final ChunkStore chunks;
    private final Recovery recovery;

    public ChunkWriter(IngestLedger ledger, ChunkStore chunks, Recovery recovery) {
        this.ledger = ledger;
        this.chunks = chunks;
        this.recovery = recovery;
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
        CompletableFuture<ChunkResult> result = assigned.handleAsync((a, error) -> {
            if (error != null) {
                LOG.atWarn().addKeyValue("recording", o.id()).addKeyValue("seq", seq)
                        .addKeyValue("error", rootMessage(error)).log("chunk index not assigned");
                return done(nackRetryable(seq, "state store unavailable, resend later"));
            }
            return afterAssign(o, seq, mode, a, payload);
        }, eventLoop).thenCompose(f -> f);
        // The one release of the payload, whatever the path; storing it took a reference of its own.
        result.whenComplete((r, e) -> payload.release());
        return result;
    }

    /**
     * Assigns once no recovery runs. An assignment that reveals trouble starts a recovery (or joins the
     * running one) and is asked again after it, in its frame's place.
     */
    private void assign(Ownership o, long frame, long seq, SeqMode mode, int round, CompletableFuture<Assignment> out) {
        recovery.whenSettled(o, frame, recoveryError -> {
            if (recoveryError != null) {
                out.completeExceptionally(recoveryError);
                return;
            }
            long generation = recovery.generation(o);
            long epoch = o.epoch();
            ledger.assign(o.id(), epoch, seq, mode).whenComplete((a, error) -> {
                if (error != null) {
                    out.completeExceptionally(error);
                    return;
                }
                boolean consistent = Recovery.note(o, a, mode);
                Verdict verdict = Recovery.verdict(a, mode, consistent, epoch, o.epoch(),
                        generation != recovery.generation(o), round);
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

    private CompletableFuture<ChunkResult> afterAssign(Ownership o, long seq, SeqMode mode, Assignment a,
                                                       ByteBuf payload) {
        switch (a.kind()) {
            case NEW:
                return storeAndCommit(o, seq, mode, a.index(), payload);
            case RESEND:
                if (a.storedSize() >= 0) {
                    return done(new ChunkResult.Acked(seq, a.index(), a.storedSize()));
                }
                // Assigned before but never stored (nacked, or lost with a dead gateway): index == seq, so
                // rewriting it with the resent bytes is safe.
                return storeAndCommit(o, seq, mode, a.index(), payload);
            case GAP:
                return done(new ChunkResult.Gap(seq, a.expected()));
            case NOT_OPEN:
                return done(new ChunkResult.Fatal(new IngestException(ErrorCode.NOT_OPEN,
                        "recording is " + a.state(), new ErrorDetail.State(a.state().name()))));
            case TAKEN_OVER:
                return done(new ChunkResult.Fatal(new IngestException(ErrorCode.TAKEN_OVER,
                        "recording was taken over by another connection")));
            case MODE_MIX:
                return done(new ChunkResult.Fatal(new IngestException(ErrorCode.BAD_REQUEST,
                        "a recording uses one seq mode for its whole life: explicit seqs or -1, not both")));
            case UNKNOWN:
            default:
                return done(nackRetryable(seq, "recording state is being restored, resend later"));
        }
    }

    private CompletableFuture<ChunkResult> storeAndCommit(Ownership o, long seq, SeqMode mode, long index,
                                                          ByteBuf payload) {
        long size = payload.readableBytes();
        return chunks.putChunk(o.id(), index, payload.retainedDuplicate())
                .handle((stored, putError) -> {
                    if (putError != null) {
                        LOG.atWarn().addKeyValue("recording", o.id()).addKeyValue("seq", seq).addKeyValue("index", index)
                                .addKeyValue("error", rootMessage(putError)).log("chunk not stored");
                        return notStored(o, seq, mode, index);
                    }
                    return ledger.commit(o.id(), index, size).<ChunkResult>thenApply(kind -> kind == CommitKind.VOID
                            ? new ChunkResult.Nacked(seq, false, index, "index " + index + " was given up as void")
                            : new ChunkResult.Acked(seq, index, size))
                            .exceptionally(commitError -> {
                                // Durable but not recorded (Redis unreachable): a repair records it later. In
                                // at-least-once mode the resend becomes a new chunk, which beats losing this one.
                                LOG.atWarn().addKeyValue("recording", o.id()).addKeyValue("seq", seq)
                                        .addKeyValue("index", index).addKeyValue("error", rootMessage(commitError))
                                        .log("chunk stored but not recorded");
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
        return ledger.markVoid(o.id(), index)
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
