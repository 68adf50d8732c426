package dev.recingest.client;

import dev.recingest.client.PendingChunks.Pending;
import dev.recingest.protocol.ChunkFrame;
import dev.recingest.protocol.ErrorDetail;
import dev.recingest.protocol.Message;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chunk side of a {@link Session}: which chunks are unacked, when each is (re)sent, and what acks,
 * nacks, {@code SEQ_GAP} and {@code INCOMPLETE} do to them. It never decides the session's fate; it
 * reports to its {@link Host}. Runs on the client's event thread.
 */
final class ChunkFlow {

    /** What the flow needs from its session. */
    interface Host {
        /** The connection chunks may go out on (its start was answered), or null. */
        Connection readyConnection();

        void fail(ClientException e);

        /** Every held chunk is acked: a stop that waits may go out now. */
        void drained();

        String logId();
    }

    private static final Logger LOG = LoggerFactory.getLogger(ChunkFlow.class);

    private final ClientOptions options;
    private final ScheduledExecutorService loop;
    private final Window window;
    private final Host host;
    private final PendingChunks pending = new PendingChunks();

    volatile long ackedChunks;
    volatile long ackedBytes;
    private boolean autoMode;
    private long autoKeys;
    private long autoBase;
    private long autoSent;
    private long maxSeq = -1;
    private long sendOrdinal;
    private long gapResendOrdinal = -1;
    private long gapResendFrom = Long.MAX_VALUE;
    private LongFunction<byte[]> recall;

    ChunkFlow(ClientOptions options, ScheduledExecutorService loop, Window window, Host host) {
        this.options = options;
        this.loop = loop;
        this.window = window;
        this.host = host;
    }

    /** Takes a new chunk (its window bytes already acquired) and sends it if a connection is ready. */
    void accept(Pending p, boolean auto) {
        autoMode = auto;
        p.key = auto ? autoKeys++ : p.seq;
        if (!pending.add(p)) {
            window.release(p.size);
            p.future.completeExceptionally(new IllegalArgumentException("seq " + p.seq + " is already in flight"));
            return;
        }
        maxSeq = Math.max(maxSeq, p.seq);
        transmit(p);
    }

    /**
     * A connection's start was answered: resend every unacked chunk in seq order (PROTOCOL.md, resume).
     * At-least-once chunks are numbered from the new {@code nextSeq}.
     */
    void resume(long nextSeq) {
        autoBase = nextSeq;
        autoSent = 0;
        for (Pending p : pending.inOrder()) {
            transmit(p);
        }
    }

    /** Nothing sent on a lost connection will be answered. */
    void connectionLost() {
        pending.forgetIndices();
        pending.forgetSends();
        gapResendOrdinal = -1;
        gapResendFrom = Long.MAX_VALUE;
    }

    void onAck(Message.Ack a) {
        Pending p = autoMode ? pending.byIndex(a.index()) : pending.get(a.seq());
        if (p == null) {
            // The second ack of a chunk that was resent, or a chunk dropped by abort().
            return;
        }
        pending.remove(p);
        window.release(p.size);
        ackedChunks++;
        ackedBytes += p.size;
        p.future.complete(a);
        if (pending.isEmpty()) {
            host.drained();
        }
    }

    void onNack(Message.Nack n) {
        Pending p = autoMode ? (n.index() == null ? null : pending.byIndex(n.index())) : pending.get(n.seq());
        if (p == null) {
            return;
        }
        pending.forgetIndex(p);
        PendingChunks.answered(p);
        if (autoMode && !n.retryable()) {
            // PROTOCOL.md: the index stays void for good; the recording goes on without this chunk.
            pending.remove(p);
            window.release(p.size);
            LOG.atWarn().addKeyValue("recording", host.logId()).addKeyValue("index", n.index()).addKeyValue("code", n.code())
                    .log("chunk not stored, index void");
            p.future.completeExceptionally(ClientException.of(n.code(), "chunk not stored; index " + n.index()
                    + " is void: " + n.message()));
            if (pending.isEmpty()) {
                host.drained();
            }
            return;
        }
        if (!n.retryable() || ++p.nacks > options.maxResendAttempts()) {
            host.fail(ClientException.of(n.code(), "chunk " + n.seq() + " could not be stored (" + p.nacks
                    + " nacks): " + n.message()));
            return;
        }
        Duration delay = options.retryDelay(p.nacks);
        LOG.atDebug().addKeyValue("recording", host.logId()).addKeyValue("seq", n.seq()).addKeyValue("code", n.code())
                .addKeyValue("delayMs", delay.toMillis()).log("chunk nacked, resend scheduled");
        Connection c = host.readyConnection();
        EventLoop.schedule(loop, () -> {
            if (c != null && host.readyConnection() == c && pending.holds(p)) {
                transmit(p);
            }
        }, delay);
    }

    /**
     * A chunk arrived ahead of {@code expected}. Every chunk sent after the missing one draws the same
     * error, so a resend starts only when the error answers a send made before the last gap resend
     * began, for a point that resend does not cover; otherwise resending again would multiply traffic.
     */
    void onGap(Message.Error e) {
        if (!(e.detail() instanceof ErrorDetail.SeqGap gap)) {
            host.fail(ClientException.fromError(e, null));
            return;
        }
        long expected = gap.expected();
        Pending named = gap.seq() < 0 ? null : pending.get(gap.seq());
        long answered = named == null ? -1 : PendingChunks.answered(named);
        if (answered >= 0 && answered < gapResendOrdinal && expected >= gapResendFrom) {
            return;
        }
        if (pending.get(expected) == null && !recallInto(expected)) {
            host.fail(new ClientException(ClientException.CANNOT_RESEND, "the gateway expects seq " + expected
                    + ", which this client does not hold", e, null, 0, null));
            return;
        }
        LOG.atInfo().addKeyValue("recording", host.logId()).addKeyValue("seq", expected).log("seq gap, resending from seq");
        gapResendOrdinal = sendOrdinal;
        gapResendFrom = expected;
        for (Pending p : pending.from(expected)) {
            transmit(p);
        }
    }

    /** Resends what an {@code INCOMPLETE} answer names; false (after failing the host) if one is gone. */
    boolean resendMissing(Message.Error e) {
        List<Long> missing = e.detail() instanceof ErrorDetail.Missing m ? m.missing() : List.of();
        LOG.atWarn().addKeyValue("recording", host.logId()).addKeyValue("missing", missing)
                .log("stop answered INCOMPLETE, resending missing chunks");
        for (long seq : missing) {
            if (pending.get(seq) == null && !recallInto(seq)) {
                host.fail(new ClientException(ClientException.CANNOT_RESEND, "the gateway misses seq " + seq
                        + ", which this client no longer holds (pass a recall function to stop())", e, null, 0, null));
                return false;
            }
            transmit(pending.get(seq));
        }
        return true;
    }

    /** Where chunks the gateway asks for after they were acked (and released) can be read again. */
    void recall(LongFunction<byte[]> fn) {
        recall = fn;
    }

    /** Takes a chunk back from the recall function, outside the window's blocking path. */
    private boolean recallInto(long seq) {
        byte[] data;
        try {
            data = recall == null || autoMode ? null : recall.apply(seq);
        } catch (RuntimeException e) {
            LOG.atWarn().addKeyValue("recording", host.logId()).addKeyValue("seq", seq).addKeyValue("error", e.toString())
                    .log("chunk cannot be recalled");
            return false;
        }
        if (data == null || data.length == 0) {
            return false;
        }
        Pending p = new Pending(seq, ChunkFrame.encode(seq, data).asReadOnlyBuffer(), data.length,
                new CompletableFuture<>());
        p.key = seq;
        window.force(p.size);
        pending.add(p);
        return true;
    }

    private void transmit(Pending p) {
        Connection c = host.readyConnection();
        if (c == null) {
            return;
        }
        if (autoMode) {
            pending.expectIndex(p, autoBase + autoSent++);
        }
        pending.markSent(p, sendOrdinal++);
        c.sendBinary(p.frame.duplicate());
    }

    /** Fails and forgets every held chunk, giving its window bytes back. */
    void failAll(Throwable e) {
        for (Pending p : pending.drain()) {
            window.release(p.size);
            p.future.completeExceptionally(e);
        }
    }

    boolean isEmpty() {
        return pending.isEmpty();
    }

    /** True when a held chunk went out and its answer is due. */
    boolean awaitingAnswers() {
        return pending.anySent();
    }

    int size() {
        return pending.size();
    }

    /** The {@code lastSeq} for {@code stop}: the highest seq sent, or null (none, or at-least-once mode). */
    Long lastSeq() {
        return autoMode || maxSeq < 0 ? null : maxSeq;
    }
}
