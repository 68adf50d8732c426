package dev.recingest.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recingest.client.PendingChunks.Pending;
import dev.recingest.protocol.ChunkFrame;
import dev.recingest.protocol.Message;
import dev.recingest.protocol.Mode;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

/**
 * Records one recording: {@link #start}, then chunks with {@link #send} (explicit seqs, exactly-once)
 * or {@link #sendAuto} (gateway-assigned indices, at-least-once), then {@link #stop} or {@link #abort}.
 *
 * <p>Every chunk is kept until the gateway acks it; retryable nacks, {@code SEQ_GAP} and
 * {@code INCOMPLETE} answers are resent without the caller's help, and after a resumable close
 * (1001, 1006, 1011; and 4401 {@code TOKEN_EXPIRED} when {@link ClientOptions#tokenSupplier} can give a
 * fresh token) the client reconnects, starts the same recording again and resends what is unacked, as
 * PROTOCOL.md asks. {@code send} blocks while the unacked bytes would exceed the window.
 * A gateway {@code error} or any other close fails every pending future with a {@link ClientException}.
 *
 * <p>Thread-safe: all protocol state lives on one event thread per client; methods may be called from
 * any thread. Futures complete on that event thread, so callbacks attached to them must not block.
 */
public final class IngestClient implements AutoCloseable {

    private static final int MODE_UNSET = 0;
    private static final int MODE_EXPLICIT = 1;
    private static final int MODE_AUTO = 2;

    private final ClientOptions options;
    private final ScheduledExecutorService loop;
    private final Window window;
    private final Session session;
    private final AtomicInteger seqMode = new AtomicInteger(MODE_UNSET);
    private final AtomicLong nextSeq = new AtomicLong(-1);
    private final AtomicInteger startCalls = new AtomicInteger();
    /** Set while a part() is pending: the next chunk belongs to the new part, so none may go out before. */
    private final AtomicBoolean partPending = new AtomicBoolean();

    public IngestClient(ClientOptions options) {
        this(options, ClientListener.NONE);
    }

    public IngestClient(ClientOptions options, ClientListener listener) {
        this.options = Objects.requireNonNull(options, "options");
        this.loop = EventLoop.create();
        this.window = new Window(options.windowBytes());
        this.session = new Session(options, listener == null ? ClientListener.NONE : listener, loop, window);
    }

    /**
     * Connects and sends {@code start}. Completes with the gateway's {@code started}; fails with a
     * {@link ClientException} (for example code {@code NOT_OPEN} with close 4409, or code
     * {@code CLOSED} with close 4401) otherwise. May be called once.
     *
     * @param recordingId null to let the gateway choose one
     * @param metadata    null for none
     */
    public CompletableFuture<Message.Started> start(String recordingId, String contentType, Mode mode,
                                                    JsonNode metadata) {
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(mode, "mode");
        if (startCalls.getAndIncrement() > 0) {
            return CompletableFuture.failedFuture(new IllegalStateException("start() may be called once per client"));
        }
        // The token goes in when the start is sent: each connection asks for its own (ClientOptions.tokenSupplier).
        Message.Start start = new Message.Start(recordingId, contentType, mode.wire(), null, metadata);
        // Derived, so that nextSeq is set before anyone waiting on the returned future wakes up.
        CompletableFuture<Message.Started> result = session.started.thenApply(s -> {
            nextSeq.compareAndSet(-1, s.nextSeq());
            return s;
        });
        if (!onLoop(() -> session.start(start))) {
            session.started.completeExceptionally(new IllegalStateException("client is closed"));
        }
        return result;
    }

    /**
     * Sends chunk {@code seq} (explicit mode: 0, 1, 2... dense). Blocks while the window is full. The
     * future completes with the ack once the chunk is durable. A seq may be sent again only after its
     * earlier send was acked (a deliberate duplicate, which the gateway acks again).
     *
     * @throws ClientException       when the session has already failed
     * @throws IllegalStateException after {@link #sendAuto}, or before {@link #start}
     */
    public CompletableFuture<Message.Ack> send(long seq, byte[] payload) {
        if (seq < 0) {
            throw new IllegalArgumentException("seq must be >= 0; use sendAuto() for gateway-assigned indices");
        }
        claimMode(MODE_EXPLICIT);
        return submit(seq, payload, false);
    }

    /** Sends the next chunk in explicit mode, numbering from {@code started.nextSeq}. Needs a completed start. */
    public CompletableFuture<Message.Ack> sendNext(byte[] payload) {
        claimMode(MODE_EXPLICIT);
        long seq = nextSeq.get();
        if (seq < 0) {
            throw new IllegalStateException("sendNext() needs the started answer; wait for start() first");
        }
        return send(nextSeq.getAndIncrement(), payload);
    }

    /**
     * Sends a chunk with seq -1: the gateway assigns the next index (at-least-once mode; a chunk
     * resent after a reconnect becomes a new chunk). A non-retryable nack fails only this chunk's
     * future: its index is void and the recording goes on.
     */
    public CompletableFuture<Message.Ack> sendAuto(byte[] payload) {
        claimMode(MODE_AUTO);
        return submit(ChunkFrame.AUTO_SEQ, payload, true);
    }

    /**
     * Waits for every chunk to be acked, sends {@code stop} with {@code lastSeq} (explicit mode), and
     * completes with {@code stopped}. An {@code INCOMPLETE} answer is handled by resending the missing
     * chunks still held; see {@link #stop(LongFunction)} for chunks already acked.
     */
    public CompletableFuture<Message.Stopped> stop() {
        return stop(null);
    }

    /**
     * Like {@link #stop()}, with a way to get back chunks that were acked and released but that the
     * gateway reports missing (possible only after it lost state): {@code recall.apply(seq)} returns the
     * payload or null. It is called on the client's event thread.
     */
    public CompletableFuture<Message.Stopped> stop(LongFunction<byte[]> recall) {
        CompletableFuture<Message.Stopped> f = new CompletableFuture<>();
        if (!onLoop(() -> session.stop(f, recall))) {
            f.completeExceptionally(new IllegalStateException("client is closed"));
        }
        return f;
    }

    /**
     * Starts a new part of the recording (PROTOCOL.md, "part"): a new continuous stream whose timestamps
     * may start over, such as the output of a restarted FFmpeg. Waits until every chunk sent so far is
     * acked, sends {@code {"type":"part"}} and completes with the gateway's {@code partStarted}; after a
     * resume it asks again, which the gateway answers the same way. Send no chunk until the future
     * completes: {@link #send} throws meanwhile, since the next chunk is the new part's first.
     *
     * <p>A gateway whose {@code started} reports no {@code parts} predates them (it would close the
     * connection with 4400): the future fails at once with code {@link ClientException#PARTS_UNSUPPORTED}
     * and the session goes on, so the caller can still stop the recording with what it has.
     */
    public CompletableFuture<Message.PartStarted> part() {
        if (!partPending.compareAndSet(false, true)) {
            return CompletableFuture.failedFuture(new IllegalStateException("a part() is already pending"));
        }
        CompletableFuture<Message.PartStarted> f = new CompletableFuture<>();
        CompletableFuture<Message.PartStarted> result = f.whenComplete((p, t) -> partPending.set(false));
        if (!onLoop(() -> session.part(f))) {
            f.completeExceptionally(new IllegalStateException("client is closed"));
        }
        return result;
    }

    /** Sends {@code abort}: pending chunks fail with code {@code ABORTED}; completes with {@code aborted}. */
    public CompletableFuture<Message.Aborted> abort() {
        CompletableFuture<Message.Aborted> f = new CompletableFuture<>();
        if (!onLoop(() -> session.abort(f))) {
            f.completeExceptionally(new IllegalStateException("client is closed"));
        }
        return f;
    }

    /**
     * Closes the connection (1000) without stopping: the recording stays open on the gateway, as if
     * this client had crashed. Pending futures fail with code {@code CLOSED}. Idempotent.
     */
    @Override
    public void close() {
        onLoop(session::close);
    }

    /** Completes when the client's last connection has closed, with the close the gateway sent. */
    public CompletableFuture<CloseStatus> closed() {
        return session.closed;
    }

    /** The most recent close of any of this client's connections. */
    public Optional<CloseStatus> lastClose() {
        return Optional.ofNullable(session.lastClose);
    }

    /** Why the session failed, once it has. */
    public Optional<ClientException> failure() {
        return Optional.ofNullable(session.failure);
    }

    /** The recording id, known once {@code started} arrived. */
    public String recordingId() {
        return session.recordingId;
    }

    public long ackedChunks() {
        return session.ackedChunks();
    }

    public long ackedBytes() {
        return session.ackedBytes();
    }

    /** Payload bytes sent or queued and not acked yet. */
    public long unackedBytes() {
        return window.used();
    }

    public ClientOptions options() {
        return options;
    }

    private CompletableFuture<Message.Ack> submit(long seq, byte[] payload, boolean auto) {
        Objects.requireNonNull(payload, "payload");
        if (payload.length == 0) {
            throw new IllegalArgumentException("an empty chunk is a protocol error");
        }
        if (startCalls.get() == 0) {
            throw new IllegalStateException("call start() before sending chunks");
        }
        if (partPending.get()) {
            throw new IllegalStateException("wait for part() to complete: the next chunk is the new part's first");
        }
        ClientException failure = session.failure;
        if (failure != null) {
            throw failure.copy();
        }
        window.acquire(payload.length);
        Pending p = new Pending(seq, ChunkFrame.encode(seq, payload).asReadOnlyBuffer(), payload.length,
                new CompletableFuture<>());
        if (!onLoop(() -> session.accept(p, auto))) {
            window.release(payload.length);
            p.future.completeExceptionally(session.failure != null ? session.failure.copy()
                    : new IllegalStateException("client is closed"));
        }
        return p.future;
    }

    private void claimMode(int mode) {
        if (!seqMode.compareAndSet(MODE_UNSET, mode) && seqMode.get() != mode) {
            throw new IllegalStateException("a recording uses explicit seqs or sendAuto(), never both");
        }
    }

    private boolean onLoop(Runnable task) {
        return EventLoop.execute(loop, () -> session.guarded(task));
    }
}
