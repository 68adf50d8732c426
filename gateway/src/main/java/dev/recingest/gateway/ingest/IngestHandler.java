package dev.recingest.gateway.ingest;

import dev.recingest.gateway.ingest.RecordingLifecycle.Opened;
import dev.recingest.protocol.CloseCodes;
import dev.recingest.protocol.ErrorCode;
import dev.recingest.protocol.IngestException;
import dev.recingest.protocol.Message;
import dev.recingest.state.RedisFailures;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler.HandshakeComplete;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WebSocket connection, recording one recording. Not sharable: it holds the connection's state,
 * which only its event loop touches (async results hop back with {@code ctx.executor()}).
 *
 * <p>The last stage of the pipeline (see {@code GatewayInitializer}): in front of it, limits a frame can be judged on
 * by its header, the {@code start} deadline and the connection limit ({@link WebSocketGuard}), keepalive
 * ({@link Keepalive}) and decoding ({@link IngestFrameDecoder}). Its chunks' accounting is {@link ChunksInFlight},
 * whether it reads is its {@link ReadGate}'s to say, a chunk's way to storage the {@link ChunkWriter}'s.
 *
 * <p>What is left here is the connection's phase machine, and it is near 400 lines for a reason: every path that
 * ends a connection (stop, abort, errors, drain, an expired token, idle) or holds it (start, part) has to agree on
 * its one phase, and split over several files those agreements were where bugs hid.
 */
public final class IngestHandler extends SimpleChannelInboundHandler<IngestFrame> {

    private static final Logger LOG = LoggerFactory.getLogger(IngestHandler.class);

    /** Where the connection is in the protocol; PARTING: a {@code part} awaits its answer. */
    private enum Phase { AWAITING_START, STARTING, OPEN, PARTING, STOPPING, CLOSED }

    private final IngestServices services;
    private final FrameLimits limits;
    private ReadGate gate;
    private ChunksInFlight chunks;
    private Phase phase = Phase.AWAITING_START;
    private String headerToken;
    private Opened recording;
    private Ownership owner;
    /** The connection is a WebSocket (the upgrade completed); before, it is an HTTP connection. */
    private boolean upgraded;
    private ScheduledFuture<?> tokenExpiry;
    private boolean tokenExpired;
    /** How many more {@code part}s arrived, with no chunk between, while one awaited its answer. */
    private int partAskedAgain;
    /** A drain asked while a part was being answered: it runs once the part is. */
    private boolean drainAfterPart;
    private final StartTiming timing = new StartTiming();

    /** @param guard the connection's frame limits and start deadline, told here when {@code start} arrives */
    public IngestHandler(IngestServices services, WebSocketGuard guard) {
        this.services = services;
        this.limits = guard.limits();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        gate = new ReadGate(ctx.channel());
        chunks = new ChunksInFlight(services.flow(), gate);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, IngestFrame frame) {
        if (phase == Phase.CLOSED) {
            return; // closing: nothing more is answered (a chunk's payload is released with its frame)
        }
        try {
            if (frame instanceof IngestFrame.Chunk chunk) {
                expectChunk();
                onChunk(ctx, chunk.seq(), chunk.content());
            } else if (frame instanceof IngestFrame.Control control) {
                onControl(ctx, control.message());
            } else if (frame instanceof IngestFrame.Invalid invalid) {
                if (invalid.chunk()) {
                    expectChunk();
                }
                throw invalid.error();
            }
        } catch (IngestException e) {
            fail(ctx, e);
        }
    }

    private void onControl(ChannelHandlerContext ctx, Message message) {
        if (message instanceof Message.Start start) {
            expect(Phase.AWAITING_START, "start may be sent once, first");
            phase = Phase.STARTING;
            limits.startReceived();
            gate.hold(ReadGate.Reason.STARTING);
            after(ctx, services.lifecycle().start(start, headerToken, timing.startReceived()),
                    opened -> onStarted(ctx, opened));
        } else if (message instanceof Message.Stop stop) {
            expect(Phase.OPEN, "stop needs an open recording and no other stop awaiting its answer");
            phase = Phase.STOPPING;
            chunks.whenNothingInFlight(() -> after(ctx, services.lifecycle().stop(owner, stop.lastSeq()), stopped -> {
                        LOG.atInfo().addKeyValue("recording", stopped.recordingId()).addKeyValue("chunks", stopped.chunks())
                                .addKeyValue("bytes", stopped.bytes()).log("recording stopped");
                        services.metrics().stopped();
                        finish(ctx, stopped);
                    }));
        } else if (message instanceof Message.Part) {
            if (phase == Phase.PARTING && !chunks.holding()) {
                // "A part right after another, with no chunk between them, is answered with the same reply": also
                // one sent before the first was answered (both can arrive in one read), once the first is.
                partAskedAgain++;
                return;
            }
            expect(Phase.OPEN, "part needs an open recording and no stop, abort or part awaiting its answer");
            phase = Phase.PARTING;
            // The chunks sent after it belong to the new part: they wait until its boundary is recorded.
            gate.hold(ReadGate.Reason.PARTING);
            chunks.whenNothingInFlight(() -> after(ctx, services.parts().start(owner), started -> {
                services.metrics().partStarted();
                for (int i = 0; i <= partAskedAgain; i++) {
                    Replies.send(ctx, started);
                }
                backToOpen(ctx);
            }));
        } else if (message instanceof Message.Abort) {
            expect(Phase.OPEN, "abort needs an open recording");
            phase = Phase.STOPPING;
            chunks.whenNothingInFlight(() -> after(ctx, services.lifecycle().abort(owner), aborted -> {
                LOG.atInfo().addKeyValue("recording", aborted.recordingId()).log("recording aborted");
                services.metrics().aborted();
                finish(ctx, aborted);
            }));
        } else {
            throw new IngestException(ErrorCode.BAD_REQUEST, "a client may send start, part, stop or abort");
        }
    }

    private void onStarted(ChannelHandlerContext ctx, Opened opened) {
        recording = opened;
        owner = opened.ownership();
        phase = Phase.OPEN;
        timing.report(LOG.atInfo().addKeyValue("recording", opened.id()).addKeyValue("epoch", opened.epoch())
                .addKeyValue("nextSeq", opened.nextSeq()).addKeyValue("contentType", opened.contentType())
                .addKeyValue("mode", opened.mode().wire()), services.metrics(), opened.resumed())
                .log(opened.resumed() ? "recording resumed" : "recording started");
        services.metrics().started(opened.resumed());
        Replies.send(ctx, new Message.Started(opened.id().value(), opened.nextSeq(), opened.resumed(), opened.parts()));
        writeHeld(ctx);
        gate.lift(ReadGate.Reason.STARTING);
        if (opened.tokenExpiresAt() != null) {
            long millis = opened.tokenExpiresAt().plus(services.config().tokens().leeway()).toEpochMilli()
                    - System.currentTimeMillis();
            tokenExpiry = ctx.executor().schedule(() -> onTokenExpired(ctx), Math.max(0, millis), TimeUnit.MILLISECONDS);
        }
    }

    /** The chunks that waited for {@code start} or {@code part} to be answered go on, in arrival order. */
    private void writeHeld(ChannelHandlerContext ctx) {
        ChunksInFlight.Held h;
        while (phase == Phase.OPEN && (h = chunks.nextHeld()) != null) {
            write(ctx, h.seq(), h.payload(), h.receivedNanos());
        }
    }

    /** A part was answered (partStarted, or an error that keeps the connection): the recording goes on. */
    private void backToOpen(ChannelHandlerContext ctx) {
        phase = Phase.OPEN;
        partAskedAgain = 0;
        writeHeld(ctx);
        gate.lift(ReadGate.Reason.PARTING);
        if (tokenExpired) {
            onTokenExpired(ctx);
        } else if (drainAfterPart) {
            drainAfterPart = false;
            drain(ctx);
        }
    }

    /**
     * The token this connection started with has expired. The recording goes on, on a new connection with
     * a fresh token: this one reads nothing more, lets its chunks in flight be acked, then closes with
     * 4401 ({@code TOKEN_EXPIRED}); the client resumes. A stop under way is let finish first.
     */
    private void onTokenExpired(ChannelHandlerContext ctx) {
        tokenExpiry = null;
        tokenExpired = true;
        if (phase == Phase.OPEN) {
            LOG.atInfo().addKeyValue("recording", recording.id()).log("token expired");
            endAfterWrites(ctx, new IngestException(ErrorCode.TOKEN_EXPIRED,
                    "token expired; connect again with a fresh token and start the same recording to resume"));
        }
    }

    /** A chunk frame (valid or not) is refused first for arriving in the wrong phase. */
    private void expectChunk() {
        if (phase == Phase.AWAITING_START) {
            throw new IngestException(ErrorCode.BAD_REQUEST, "chunk before start");
        }
        if (phase == Phase.STOPPING) {
            throw new IngestException(ErrorCode.BAD_REQUEST, "chunk while a stop or abort awaits its answer");
        }
    }

    private void onChunk(ChannelHandlerContext ctx, long seq, ByteBuf content) {
        // The payload leaves the event loop for the S3 put: retained here, released by its new owner (the writer).
        ByteBuf payload = content.retain();
        long received = System.nanoTime();
        chunks.arrived(payload.readableBytes());
        if (phase == Phase.STARTING || phase == Phase.PARTING) {
            chunks.hold(seq, payload, received);
        } else {
            write(ctx, seq, payload, received);
        }
    }

    private void write(ChannelHandlerContext ctx, long seq, ByteBuf payload, long receivedNanos) {
        long size = payload.readableBytes();
        chunks.writing();
        services.writer().write(owner, seq, payload, ctx.executor())
                .whenCompleteAsync((result, error) -> onWritten(ctx, size, receivedNanos, result), ctx.executor());
    }

    private void onWritten(ChannelHandlerContext ctx, long size, long receivedNanos, ChunkResult result) {
        chunks.written(size);
        if (phase != Phase.CLOSED) {
            if (result instanceof ChunkResult.Fatal f) {
                fail(ctx, f.error());
            } else {
                services.metrics().answered(result, size, receivedNanos);
                Replies.send(ctx, Replies.answer(result));
            }
        }
        chunks.settle();
    }

    /** Runs {@code onSuccess} on the event loop, or answers the failure. */
    private <T> void after(ChannelHandlerContext ctx, CompletableFuture<T> future, java.util.function.Consumer<T> onSuccess) {
        future.whenCompleteAsync((value, error) -> {
            if (phase == Phase.CLOSED) {
                return;
            }
            if (error == null) {
                onSuccess.accept(value);
            } else {
                fail(ctx, RedisFailures.classify(error));
            }
        }, ctx.executor());
    }

    private void finish(ChannelHandlerContext ctx, Message reply) {
        Replies.send(ctx, reply);
        phase = Phase.CLOSED;
        Replies.close(ctx, CloseCodes.NORMAL, "done");
    }

    /** Answers an error: an error message, then a close if the code ends the connection. */
    private void fail(ChannelHandlerContext ctx, IngestException e) {
        services.metrics().error(e.code());
        String id = recording == null ? "-" : recording.id().value();
        if (e.code() == ErrorCode.INTERNAL) {
            LOG.atError().addKeyValue("recording", id).addKeyValue("code", e.code()).addKeyValue("error", e.getMessage())
                    .setCause(e).log("connection answered with an error");
        } else {
            LOG.atInfo().addKeyValue("recording", id).addKeyValue("code", e.code()).addKeyValue("error", e.getMessage())
                    .log("connection answered with an error");
        }
        Replies.send(ctx, Replies.errorMessage(e));
        if (e.code().closeCode() != 0) {
            phase = Phase.CLOSED;
            Replies.close(ctx, e.code().closeCode(), e.getMessage());
        } else if (phase == Phase.STARTING) {
            // A retryable start failure (storage down): the client may send start again, within the deadline.
            phase = Phase.AWAITING_START;
            limits.awaitStartAgain(System.nanoTime());
            gate.lift(ReadGate.Reason.STARTING);
        } else if (phase == Phase.PARTING) {
            // INCOMPLETE or a retryable failure: no part started; the client resends, then asks again. A part
            // sent again before this answer gets the same one.
            for (int i = 0; i < partAskedAgain; i++) {
                Replies.send(ctx, Replies.errorMessage(e));
            }
            backToOpen(ctx);
        } else if (phase == Phase.STOPPING) {
            // INCOMPLETE or a retryable failure: the recording stays open for resends and another stop.
            phase = Phase.OPEN;
            if (tokenExpired) {
                onTokenExpired(ctx);
            }
        }
    }

    private void expect(Phase required, String rule) {
        if (phase != required) {
            throw new IngestException(ErrorCode.BAD_REQUEST, rule);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof HandshakeComplete hs) {
            String auth = hs.requestHeaders().get(HttpHeaderNames.AUTHORIZATION);
            if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
                headerToken = auth.substring(7).trim();
            }
            upgraded = true;
            timing.upgraded();
        } else if (evt == Keepalive.IdleTimeout.INSTANCE) {
            phase = Phase.CLOSED;
            Replies.close(ctx, CloseCodes.IDLE_TIMEOUT, "idle timeout");
        } else if (evt == FlowControl.ResumeReading.INSTANCE) {
            gate.lift(ReadGate.Reason.GLOBAL);
        } else if (evt instanceof ConnectionRefused refused) {
            if (phase != Phase.CLOSED) {
                fail(ctx, refused.reason());
            }
        } else if (evt == DrainRequest.INSTANCE) {
            drain(ctx);
        } else {
            super.userEventTriggered(ctx, evt);
        }
    }

    /** Graceful drain: read nothing more, let writes in flight finish (and be acked), then close 1001. */
    private void drain(ChannelHandlerContext ctx) {
        if (!upgraded) {
            ctx.close(); // an HTTP connection: nothing in flight that a client would resume
            return;
        }
        if (phase == Phase.STOPPING || phase == Phase.CLOSED) {
            return; // a stop or abort in progress closes the connection itself
        }
        if (phase == Phase.PARTING) {
            drainAfterPart = true; // once the part is answered: it is one step, like a write in flight
            return;
        }
        endAfterWrites(ctx, null);
    }

    /**
     * Reads nothing more, lets the writes in flight finish (and be answered), then closes: with the error's
     * message and close code, or with 1001 for a drain ({@code reason} null).
     */
    private void endAfterWrites(ChannelHandlerContext ctx, IngestException reason) {
        gate.hold(ReadGate.Reason.CLOSING);
        chunks.whenNothingInFlight(() -> {
            if (phase == Phase.CLOSED) {
                return;
            }
            if (reason != null) {
                fail(ctx, reason);
            } else {
                phase = Phase.CLOSED;
                Replies.close(ctx, CloseCodes.GOING_AWAY, "gateway going away; reconnect and resume");
            }
        });
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        phase = Phase.CLOSED;
        if (tokenExpiry != null) {
            tokenExpiry.cancel(false);
        }
        chunks.closed();
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        String id = recording == null ? "-" : recording.id().value();
        boolean lost = phase == Phase.CLOSED || !ctx.channel().isActive() || cause instanceof IOException
                || cause instanceof PrematureChannelClosureException;
        if (lost && !(cause instanceof CorruptedWebSocketFrameException)) {
            // The client is gone (a reset, or closed in the middle of a message), or we are closing: there is
            // nobody to answer. Answering anyway would fail the write, whose void promise reports the failure
            // here again, and again.
            LOG.atInfo().addKeyValue("recording", id).addKeyValue("error", cause.toString()).log("connection lost");
            phase = Phase.CLOSED;
            ctx.close();
            return;
        }
        if (cause instanceof TooLongFrameException) {
            fail(ctx, new IngestException(ErrorCode.FRAME_TOO_BIG, "frame over the size limit"));
        } else if (cause instanceof CorruptedWebSocketFrameException) {
            // The frame decoder has already sent its close code (1009 for an oversize frame, 1002 otherwise).
            LOG.atInfo().addKeyValue("recording", id).addKeyValue("error", cause.getMessage()).log("bad WebSocket frame");
            phase = Phase.CLOSED;
            ctx.close();
        } else {
            fail(ctx, RedisFailures.classify(cause));
        }
    }

    /** Event asking a connection to drain; see {@link #drain}. */
    public enum DrainRequest {
        INSTANCE
    }
}
