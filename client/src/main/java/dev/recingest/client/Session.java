package dev.recingest.client;

import dev.recingest.client.PendingChunks.Pending;
import dev.recingest.protocol.CloseCodes;
import dev.recingest.protocol.ErrorCode;
import dev.recingest.protocol.ErrorDetail;
import dev.recingest.protocol.Json;
import dev.recingest.protocol.Message;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The protocol state machine behind {@link IngestClient}: one recording across one or more
 * connections (resume after a resumable close). Every method runs on the client's event thread;
 * {@link IngestClient} only hops onto it. Fields a caller thread reads are volatile.
 *
 * <p>Well past the house's 300-400 lines (about 560) on purpose: the phases, the replies that move between
 * them, the resent {@code start}/{@code stop}/{@code part} and the reconnect rules are one state machine,
 * easier to check read whole than spread over classes that would share its fields. Everything about
 * individual chunks lives in {@link ChunkFlow}, the in-flight window in {@link Window}.
 */
final class Session implements Connection.Handler, ChunkFlow.Host {

    enum Phase { NEW, STARTING, OPEN, STOPPING, ABORTING, DONE, FAILED }

    private static final Logger LOG = LoggerFactory.getLogger(Session.class);
    /** States in which a NOT_OPEN answer to a resumed start means our stop went through. */
    private static final Set<String> STOPPED_STATES = Set.of("STOPPED", "MERGING", "COMPLETED", "FAILED");
    /** How long an error that announces a close waits for that close, so the exception can carry both. */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(2);

    private final ClientOptions options;
    private final ClientListener listener;
    private final ScheduledExecutorService loop;
    private final Window window;
    private final ChunkFlow chunks;

    final CompletableFuture<Message.Started> started = new CompletableFuture<>();
    final CompletableFuture<CloseStatus> closed = new CompletableFuture<>();
    volatile Phase phase = Phase.NEW;
    volatile ClientException failure;
    volatile String recordingId;
    volatile CloseStatus lastClose;

    private Message.Start start;
    private Connection conn;
    /** The token the current connection presented on its upgrade (and in its start, with tokenInStart). */
    private String connectionToken;
    /** True once the current connection's start was answered: chunks may flow. */
    private boolean ready;
    private int reconnects;
    private CompletableFuture<Message.Stopped> stopFuture;
    private CompletableFuture<Message.Aborted> abortFuture;
    /** A part() waiting for its chunks to drain or for its answer; null otherwise. */
    private CompletableFuture<Message.PartStarted> partFuture;
    /** The part request went out on the current connection. */
    private boolean partSent;
    /** The last {@code started} said how many parts the recording has: the gateway knows parts. */
    private boolean partsReported;
    private boolean stopSent;
    /** A stop went out on some connection; its answer may have been lost with that connection. */
    private boolean stopEverSent;
    private int stopRounds;
    /** Answers to part that asked for it again (INCOMPLETE, STORAGE_UNAVAILABLE), as stopRounds for stop. */
    private int partRounds;
    /** Starts answered with a retryable error since the last {@code started}. */
    private int startRounds;
    private boolean replyAwaited;
    private long lastHeardNanos = System.nanoTime();
    private Message.Error closingError;

    Session(ClientOptions options, ClientListener listener, ScheduledExecutorService loop, Window window) {
        this.options = options;
        this.listener = listener;
        this.loop = loop;
        this.window = window;
        this.chunks = new ChunkFlow(options, loop, window, this);
    }

    // ---- commands (from IngestClient, on the event thread) ----

    void start(Message.Start message) {
        start = message;
        phase = Phase.STARTING;
        EventLoop.every(loop, this::watchdog, Duration.ofSeconds(1));
        connect();
    }

    void accept(Pending p, boolean auto) {
        if (phase != Phase.STARTING && phase != Phase.OPEN) {
            window.release(p.size);
            p.future.completeExceptionally(failure != null ? failure.copy()
                    : new IllegalStateException("no chunks after stop() or abort()"));
            return;
        }
        chunks.accept(p, auto);
    }

    void stop(CompletableFuture<Message.Stopped> future, LongFunction<byte[]> recallFn) {
        if (phase != Phase.OPEN) {
            future.completeExceptionally(failure != null ? failure.copy()
                    : new IllegalStateException("stop() needs a started, open recording (phase " + phase + ")"));
            return;
        }
        phase = Phase.STOPPING;
        stopFuture = future;
        chunks.recall(recallFn);
        maybeSendStop();
    }

    /**
     * PROTOCOL.md, "part": sent only once nothing of the previous part is unacked, and sent again after
     * a resume until answered (a part right after a part, with no chunk between, gets the same answer).
     */
    void part(CompletableFuture<Message.PartStarted> future) {
        if (phase != Phase.OPEN || partFuture != null) {
            future.completeExceptionally(failure != null ? failure.copy()
                    : new IllegalStateException(partFuture != null ? "a part() is already pending"
                    : "part() needs a started, open recording (phase " + phase + ")"));
            return;
        }
        if (!partsReported) {
            future.completeExceptionally(ClientException.of(ClientException.PARTS_UNSUPPORTED,
                    "this gateway does not support parts yet (its 'started' reports no 'parts')"));
            return;
        }
        partFuture = future;
        maybeSendPart();
    }

    private void maybeSendPart() {
        if (partFuture == null || partSent || !ready || phase != Phase.OPEN || !chunks.isEmpty()) {
            return;
        }
        partSent = true;
        send(new Message.Part());
        replyAwaited = true;
    }

    private void onPartStarted(Message.PartStarted p) {
        if (partFuture == null) {
            return;
        }
        replyAwaited = false;
        partSent = false;
        partRounds = 0;
        CompletableFuture<Message.PartStarted> f = partFuture;
        partFuture = null;
        LOG.atInfo().addKeyValue("recording", logId()).addKeyValue("part", p.part()).addKeyValue("seq", p.firstSeq())
                .log("part started");
        f.complete(p);
    }

    void abort(CompletableFuture<Message.Aborted> future) {
        if (phase != Phase.OPEN && phase != Phase.STARTING && !(phase == Phase.STOPPING && !stopSent)) {
            future.completeExceptionally(failure != null ? failure.copy()
                    : new IllegalStateException("cannot abort in phase " + phase
                    + (stopSent ? " while a stop awaits its answer" : "")));
            return;
        }
        ClientException aborted = ClientException.of(ClientException.ABORTED, "recording aborted by the client");
        if (stopFuture != null) {
            stopFuture.completeExceptionally(aborted);
        }
        phase = Phase.ABORTING;
        abortFuture = future;
        chunks.failAll(aborted);
        if (ready) {
            send(new Message.Abort());
            replyAwaited = true;
        }
    }

    void close() {
        if (phase != Phase.DONE && phase != Phase.FAILED) {
            fail(ClientException.of(ClientException.CLOSED, "client closed"));
        } else if (conn != null) {
            conn.close(CloseCodes.NORMAL, "client closed");
        } else {
            finish(lastClose);
        }
    }

    // ---- connection events ----

    /**
     * Runs {@code task}; a bug that throws fails the session with code INTERNAL instead of leaving it
     * half-changed and waiting forever.
     */
    void guarded(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            LOG.atError().addKeyValue("recording", logId()).setCause(e).log("client bug");
            fail(new ClientException("INTERNAL", "client error: " + e, null, null, 0, e));
        }
    }

    @Override
    public void onText(Connection c, String text) {
        guarded(() -> handleText(c, text));
    }

    private void handleText(Connection c, String text) {
        if (c != conn) {
            return;
        }
        lastHeardNanos = System.nanoTime();
        Message m;
        try {
            m = Json.readMessage(text);
        } catch (RuntimeException e) {
            LOG.atWarn().addKeyValue("recording", logId()).addKeyValue("text", text)
                    .log("unreadable message from the gateway ignored");
            return;
        }
        try {
            listener.onMessage(m);
        } catch (RuntimeException e) {
            LOG.atWarn().addKeyValue("recording", logId()).setCause(e).log("client listener failed");
        }
        if (phase == Phase.FAILED) {
            return;
        }
        if (m instanceof Message.Started s) {
            // A gateway that says nothing about parts predates them: it would answer part with 4400.
            partsReported = s.parts() != null;
            onStarted(s);
        } else if (m instanceof Message.PartStarted p) {
            onPartStarted(p);
        } else if (m instanceof Message.Ack a) {
            chunks.onAck(a);
        } else if (m instanceof Message.Nack n) {
            chunks.onNack(n);
        } else if (m instanceof Message.Error e) {
            onError(e);
        } else if (m instanceof Message.Stopped s) {
            replyAwaited = false;
            phase = Phase.DONE;
            LOG.atInfo().addKeyValue("recording", s.recordingId()).addKeyValue("chunks", s.chunks())
                    .addKeyValue("bytes", s.bytes()).log("recording stopped");
            if (stopFuture != null) {
                stopFuture.complete(s);
            }
        } else if (m instanceof Message.Aborted a) {
            replyAwaited = false;
            phase = Phase.DONE;
            if (abortFuture != null) {
                abortFuture.complete(a);
            }
        } else {
            LOG.atWarn().addKeyValue("recording", logId()).addKeyValue("type", m.getClass().getSimpleName())
                    .log("unexpected message from the gateway");
        }
    }

    @Override
    public void onClosed(Connection c, CloseStatus status) {
        guarded(() -> handleClosed(c, status));
    }

    private void handleClosed(Connection c, CloseStatus status) {
        if (c != conn) {
            return;
        }
        conn = null;
        ready = false;
        stopSent = false;
        partSent = false;
        replyAwaited = false;
        lastClose = status;
        chunks.connectionLost();
        if (phase == Phase.DONE || phase == Phase.FAILED) {
            finish(status);
            return;
        }
        Message.Error announced = closingError;
        closingError = null;
        // 1001/1006/1011 mean "resume elsewhere" even when an error message (INTERNAL) came first. A 4401 that
        // TOKEN_EXPIRED announced is no bad token: with a token supplier there is a fresh one to resume with
        // (PROTOCOL-NOTES, "a connection that outlives its token"); a fixed token would only be refused again.
        boolean tokenExpired = announced != null && announced.errorCode().orElse(null) == ErrorCode.TOKEN_EXPIRED
                && options.tokenSupplier() != null;
        if ((status.isResumable() || tokenExpired) && canResume()) {
            scheduleReconnect(status);
            return;
        }
        fail(ClientException.closed(status, announced));
    }

    // ---- messages ----

    private void onStarted(Message.Started s) {
        replyAwaited = false;
        ready = true;
        reconnects = 0;
        startRounds = 0;
        recordingId = s.recordingId();
        if (!started.isDone()) {
            LOG.atInfo().addKeyValue("recording", s.recordingId()).addKeyValue("nextSeq", s.nextSeq())
                    .addKeyValue("resumed", s.resumed()).log("recording started");
            if (phase == Phase.STARTING) {
                phase = Phase.OPEN;
            }
            started.complete(s);
        } else {
            LOG.atInfo().addKeyValue("recording", s.recordingId()).addKeyValue("nextSeq", s.nextSeq())
                    .addKeyValue("unacked", chunks.size()).log("recording resumed, resending unacked chunks");
            listener.onResumed(s);
        }
        if (phase == Phase.ABORTING) {
            send(new Message.Abort());
            replyAwaited = true;
            return;
        }
        chunks.resume(s.nextSeq());
        maybeSendPart();
        maybeSendStop();
    }

    private void onError(Message.Error e) {
        ErrorCode code = e.errorCode().orElse(null); // null: a code from a newer gateway, failed on below
        String state = e.detail() instanceof ErrorDetail.State s ? s.state() : null;
        if (code == ErrorCode.SEQ_GAP) {
            chunks.onGap(e);
        } else if (code == ErrorCode.INCOMPLETE && phase == Phase.STOPPING) {
            onIncomplete(e);
        } else if (code == ErrorCode.NOT_OPEN && phase == Phase.STOPPING && stopEverSent && chunks.isEmpty()
                && STOPPED_STATES.contains(state)) {
            // Our stop went through before the connection broke; its answer was lost (PROTOCOL.md, start).
            phase = Phase.DONE;
            LOG.atInfo().addKeyValue("recording", recordingId).addKeyValue("state", state).log("recording was already stopped");
            stopFuture.complete(new Message.Stopped(recordingId, chunks.ackedChunks, chunks.ackedBytes, null));
        } else if (code == ErrorCode.NOT_OPEN && phase == Phase.ABORTING && "ABORTED".equals(state)) {
            phase = Phase.DONE;
            abortFuture.complete(new Message.Aborted(recordingId));
        } else if (phase == Phase.STOPPING && stopSent && closeCodeOf(code) == 0 && retryable(code)
                && ++stopRounds <= options.maxResendAttempts()) {
            stopSent = false;
            replyAwaited = false;
            onThisConnectionAfter(options.retryDelay(stopRounds), this::maybeSendStop);
        } else if (!ready && conn != null && closeCodeOf(code) == 0 && retryable(code)
                && ++startRounds <= options.maxResendAttempts()) {
            // Our start (first or resumed) met Redis or storage away for a moment; the connection stays
            // open and the gateway takes the start again (PROTOCOL-NOTES, STORAGE_UNAVAILABLE).
            LOG.atWarn().addKeyValue("recording", logId()).addKeyValue("code", e.code()).addKeyValue("reason", e.message())
                    .addKeyValue("attempt", startRounds).log("start refused for now, sending it again");
            replyAwaited = false;
            onThisConnectionAfter(options.retryDelay(startRounds), () -> {
                if (!ready) {
                    sendStart();
                }
            });
        } else if (phase == Phase.OPEN && partSent && closeCodeOf(code) == 0 && retryable(code)
                && ++partRounds <= options.maxResendAttempts()) {
            // The part was refused for now: chunks it needs first (INCOMPLETE) or storage (STORAGE_UNAVAILABLE).
            partSent = false;
            replyAwaited = false;
            if (code == ErrorCode.INCOMPLETE) {
                chunks.resendMissing(e);
            }
            onThisConnectionAfter(options.retryDelay(partRounds), this::maybeSendPart);
        } else if (closeCodeOf(code) != 0) {
            closingError = e;
            onThisConnectionAfter(CLOSE_WAIT, () -> fail(ClientException.fromError(e, null)));
        } else {
            fail(ClientException.fromError(e, null));
        }
    }

    private void onIncomplete(Message.Error e) {
        stopSent = false;
        replyAwaited = false;
        if (++stopRounds > options.maxResendAttempts()) {
            fail(ClientException.fromError(e, null));
            return;
        }
        if (chunks.resendMissing(e)) {
            maybeSendStop();
        }
    }

    /** Runs {@code action} on the loop after {@code delay}, unless the connection has changed meanwhile. */
    private void onThisConnectionAfter(Duration delay, Runnable action) {
        Connection c = conn;
        EventLoop.schedule(loop, () -> {
            if (conn == c) {
                action.run();
            }
        }, delay);
    }

    private void maybeSendStop() {
        if (phase != Phase.STOPPING || stopSent || !ready || !chunks.isEmpty()) {
            return;
        }
        stopSent = true;
        stopEverSent = true;
        send(new Message.Stop(chunks.lastSeq()));
        replyAwaited = true;
    }

    private void send(Message m) {
        conn.sendText(Json.write(m));
    }

    long ackedChunks() {
        return chunks.ackedChunks;
    }

    long ackedBytes() {
        return chunks.ackedBytes;
    }

    // ---- ChunkFlow.Host ----

    @Override
    public Connection readyConnection() {
        return ready ? conn : null;
    }

    @Override
    public void drained() {
        maybeSendPart();
        maybeSendStop();
    }

    @Override
    public String logId() {
        if (recordingId != null) {
            return recordingId;
        }
        return start != null && start.recordingId() != null ? start.recordingId() : "(new)";
    }

    // ---- connecting, resuming, failing ----

    private void connect() {
        Connection c = new Connection(loop, this);
        conn = c;
        CompletableFuture<Void> opened;
        try {
            // Asked anew for every connection: a resume after the first token expired presents a fresh one.
            connectionToken = options.currentToken();
            opened = c.open(options, connectionToken);
        } catch (RuntimeException e) {
            opened = CompletableFuture.failedFuture(e);
        }
        opened.whenComplete((v, t) -> EventLoop.execute(loop, () -> {
            if (c != conn) {
                c.abort("superseded");
                return;
            }
            if (t != null) {
                conn = null;
                ClientException e = ClientException.connectFailed(options.gatewayUri().toString(), t);
                if (canResume() && reconnects < options.reconnectAttempts()) {
                    LOG.atWarn().addKeyValue("recording", logId()).addKeyValue("attempt", reconnects)
                            .addKeyValue("error", e.getMessage()).log("reconnect failed");
                    scheduleReconnect(lastClose);
                } else {
                    fail(e);
                }
                return;
            }
            sendStart();
        }));
    }

    private void sendStart() {
        String id = recordingId != null ? recordingId : start.recordingId();
        send(new Message.Start(id, start.contentType(), start.mode(), options.tokenInStart() ? connectionToken : null,
                start.metadata()));
        replyAwaited = true;
    }

    private boolean canResume() {
        return started.isDone() && !started.isCompletedExceptionally() && options.reconnectAttempts() > 0
                && (phase == Phase.OPEN || phase == Phase.STOPPING || phase == Phase.ABORTING);
    }

    private void scheduleReconnect(CloseStatus cause) {
        if (reconnects >= options.reconnectAttempts()) {
            fail(ClientException.closed(cause, null));
            return;
        }
        reconnects++;
        // The first attempt goes at once: the usual cause is one gateway that died or drains, and the load
        // balancer has others ready; waiting only adds to the gap in the recording's acks. Later attempts
        // (nobody answers) back off, with jitter: the clients of one dead gateway do not come back in lockstep.
        Duration delay = reconnects == 1 ? Duration.ZERO : options.retryDelay(reconnects - 1);
        LOG.atWarn().addKeyValue("recording", logId()).addKeyValue("reason", String.valueOf(cause))
                .addKeyValue("attempt", reconnects).addKeyValue("attempts", options.reconnectAttempts())
                .addKeyValue("delayMs", delay.toMillis()).log("connection lost, reconnecting");
        listener.onReconnecting(reconnects, cause);
        EventLoop.schedule(loop, () -> {
            if (conn == null && phase != Phase.FAILED && phase != Phase.DONE) {
                connect();
            }
        }, delay);
    }

    /** Gives up: every pending future fails with {@code e}, the window wakes blocked senders. */
    @Override
    public void fail(ClientException e) {
        if (phase == Phase.DONE || phase == Phase.FAILED) {
            return;
        }
        LOG.atWarn().addKeyValue("recording", logId()).addKeyValue("code", e.code()).addKeyValue("error", e.getMessage())
                .log("recording failed");
        phase = Phase.FAILED;
        failure = e;
        window.fail(e);
        started.completeExceptionally(e);
        if (stopFuture != null) {
            stopFuture.completeExceptionally(e);
        }
        if (abortFuture != null) {
            abortFuture.completeExceptionally(e);
        }
        if (partFuture != null) {
            partFuture.completeExceptionally(e);
        }
        chunks.failAll(e);
        if (conn != null) {
            conn.close(CloseCodes.NORMAL, "client gave up: " + e.code());
        } else {
            finish(lastClose);
        }
    }

    private void finish(CloseStatus last) {
        CloseStatus status = last != null ? last : CloseStatus.abnormal("never connected");
        if (closed.complete(status)) {
            try {
                listener.onClosed(status);
            } catch (RuntimeException e) {
                LOG.atWarn().addKeyValue("recording", logId()).setCause(e).log("client listener failed");
            }
        }
        loop.shutdown();
    }

    /**
     * Treats a gateway that stays silent while an answer is due as a broken connection. The clock
     * restarts on every tick with nothing outstanding, so a timeout is exact to within the tick.
     */
    private void watchdog() {
        boolean waiting = conn != null && (replyAwaited || (ready && chunks.awaitingAnswers()));
        if (!waiting) {
            lastHeardNanos = System.nanoTime();
            return;
        }
        if (System.nanoTime() - lastHeardNanos > options.ackTimeout().toNanos()) {
            String why = "no answer from the gateway for " + options.ackTimeout();
            if (!canResume()) {
                fail(ClientException.of(ClientException.TIMEOUT, why));
                return;
            }
            conn.abort(why);
        }
    }

    /** The close {@code code} announces; 0 (the connection stays open) for a code this client does not know. */
    private static int closeCodeOf(ErrorCode code) {
        return code == null ? 0 : code.closeCode();
    }

    /** Whether a retry can succeed; an unknown code is not retried. */
    private static boolean retryable(ErrorCode code) {
        return code != null && code.retryable();
    }
}
