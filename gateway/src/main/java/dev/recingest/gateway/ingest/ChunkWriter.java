package dev.recingest.gateway.ingest;

import dev.recingest.protocol.ChunkFrame;
import dev.recingest.protocol.ErrorCode;
import dev.recingest.protocol.IngestException;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.Outcomes.AssignKind;
import dev.recingest.state.Outcomes.Assignment;
import dev.recingest.state.RecordingStore;
import dev.recingest.state.SeqMode;
import dev.recingest.storage.ChunkStore;
import io.netty.buffer.ByteBuf;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hot path of one chunk: assign its index (one script call), store it (one PUT), record it (one
 * script call), answer. Nothing is acked that is not durable in storage and recorded in Redis.
 * Takes ownership of the payload and releases it exactly once on every path.
 */
public final class ChunkWriter {

    private static final Logger LOG = LoggerFactory.getLogger(ChunkWriter.class);

    private final RecordingStore store;
    private final ChunkStore chunks;
    private final StateRepair repair;

    public ChunkWriter(RecordingStore store, ChunkStore chunks, StateRepair repair) {
        this.store = store;
        this.chunks = chunks;
        this.repair = repair;
    }

    /** Writes one chunk of the recording owned by {@code epoch}; never completes exceptionally. */
    public CompletableFuture<ChunkResult> write(RecordingId id, long epoch, long seq, ByteBuf payload) {
        SeqMode mode = seq == ChunkFrame.AUTO_SEQ ? SeqMode.AUTO : SeqMode.EXPLICIT;
        return store.assign(id, epoch, seq, mode)
                .thenCompose(a -> a.kind() == AssignKind.GAP ? repairAndAssignAgain(id, epoch, seq, mode) : done(a))
                .handle((a, error) -> {
                    if (error != null) {
                        payload.release();
                        LOG.warn("recordingId={} seq={} event=assign-failed error={}", id, seq, rootMessage(error));
                        return done(nackRetryable(seq, "state store unavailable, resend later"));
                    }
                    return afterAssign(id, seq, mode, a, payload);
                })
                .thenCompose(f -> f);
    }

    private CompletableFuture<Assignment> repairAndAssignAgain(RecordingId id, long epoch, long seq, SeqMode mode) {
        return repair.repair(id).thenCompose(next -> store.assign(id, epoch, seq, mode));
    }

    private CompletableFuture<ChunkResult> afterAssign(RecordingId id, long seq, SeqMode mode, Assignment a,
                                                       ByteBuf payload) {
        switch (a.kind()) {
            case NEW:
                return storeAndCommit(id, seq, mode, a.index(), payload);
            case RESEND:
                if (a.storedSize() >= 0) {
                    payload.release();
                    return done(new ChunkResult.Acked(seq, a.index(), a.storedSize()));
                }
                // Assigned before but never stored (nacked, or lost with a dead gateway): index == seq, so
                // rewriting it with the resent bytes is safe.
                return storeAndCommit(id, seq, mode, a.index(), payload);
            case GAP:
                payload.release();
                return done(new ChunkResult.Gap(seq, a.expected()));
            case NOT_OPEN:
                payload.release();
                return done(new ChunkResult.Fatal(new IngestException(ErrorCode.NOT_OPEN,
                        "recording is " + a.state(), Map.of("state", a.state().name()))));
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

    private CompletableFuture<ChunkResult> storeAndCommit(RecordingId id, long seq, SeqMode mode, long index,
                                                          ByteBuf payload) {
        long size = payload.readableBytes();
        return chunks.putChunk(id, index, payload)
                .thenCompose(x -> store.commit(id, index, size))
                .<ChunkResult>thenApply(recorded -> new ChunkResult.Acked(seq, index, size))
                .exceptionallyCompose(error -> {
                    LOG.warn("recordingId={} seq={} index={} event=store-failed error={}", id, seq, index,
                            rootMessage(error));
                    if (mode == SeqMode.EXPLICIT) {
                        return done(nackRetryable(seq, "chunk could not be stored, resend it"));
                    }
                    // At-least-once: a resend would get a new index, so this one stays empty for good.
                    return store.markVoid(id, index)
                            .handle((marked, e) -> new ChunkResult.Nacked(seq, false, index,
                                    "chunk could not be stored; index " + index + " is void"));
                });
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
