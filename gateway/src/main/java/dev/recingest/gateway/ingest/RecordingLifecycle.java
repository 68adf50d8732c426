package dev.recingest.gateway.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recingest.auth.Tokens;
import dev.recingest.durable.Endings;
import dev.recingest.durable.Reconciler;
import dev.recingest.events.EventPublisher;
import dev.recingest.events.EventType;
import dev.recingest.observability.Laps;
import dev.recingest.protocol.ErrorCode;
import dev.recingest.protocol.ErrorDetail;
import dev.recingest.protocol.IngestException;
import dev.recingest.protocol.Json;
import dev.recingest.protocol.Message;
import dev.recingest.protocol.Mode;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.OpenPerSubject;
import dev.recingest.state.Outcomes.AbortKind;
import dev.recingest.state.Outcomes.StartKind;
import dev.recingest.state.Outcomes.StopKind;
import dev.recingest.state.Outcomes.StopOutcome;
import dev.recingest.state.RecordingState;
import dev.recingest.state.IngestLedger;
import dev.recingest.state.SeqMode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

/**
 * {@code start}, {@code stop} and {@code abort}: validation, authorization, the state scripts, and what
 * follows an end. Each first makes Redis agree with storage ({@link Reconciler}): a recording storage shows
 * as ended is never opened again, and nothing is decided from a Redis that lost acked chunks. Failures are
 * {@link IngestException}s whose code says how the connection answers. A new recording is announced
 * (recording.started) without waiting: the outbox never holds up a recorder.
 */
public final class RecordingLifecycle {

    /**
     * A MIME type with optional parameters: printable ASCII only, and only spaces or tabs before the ';'
     * (a "\\s" there let CR and LF through, which would end up in S3 and webhook headers).
     */
    private static final Pattern CONTENT_TYPE = Pattern.compile("[A-Za-z0-9.+-]+/[A-Za-z0-9.+-]+([ \\t]*;[ -~]*)?");
    private static final int MAX_MISSING_LISTED = 1000;

    private final IngestLedger ledger;
    private final Reconciler reconciler;
    private final Endings endings;
    private final OpenPerSubject subjects;
    private final Tokens tokens;
    private final int maxMetadataBytes;
    private final int maxOpenPerSubject;
    private final EventPublisher events;
    private final Recovery recovery;

    /**
     * @param tokens            null when authentication is off
     * @param maxOpenPerSubject open recordings one token subject may have (0: no limit)
     * @param events            where recording.started goes
     * @param recovery          what takes a recording back for its owner when Redis lost the record or the takeover
     */
    public RecordingLifecycle(IngestLedger ledger, Reconciler reconciler, Endings endings, OpenPerSubject subjects,
                              Tokens tokens, int maxMetadataBytes, int maxOpenPerSubject, EventPublisher events,
                              Recovery recovery) {
        this.ledger = ledger;
        this.reconciler = reconciler;
        this.endings = endings;
        this.subjects = subjects;
        this.tokens = tokens;
        this.maxMetadataBytes = maxMetadataBytes;
        this.maxOpenPerSubject = maxOpenPerSubject;
        this.events = events;
        this.recovery = recovery;
    }

    /** How long the Redis keys of an ended recording live (RECINGEST_RETENTION_REDIS). */
    public Duration retention() {
        return endings.retention();
    }

    /**
     * An opened recording as this connection owns it.
     *
     * @param metadata the start's metadata as JSON ("" for none), kept to re-create a lost record
     * @param seqMode  the recording's seq mode if a chunk set it already, else null
     * @param tokenExpiresAt when the token the connection started with expires; null with authentication off
     * @param parts    how many parts the recording has (after the repair from storage), as {@code started} says
     */
    public record Opened(RecordingId id, long epoch, long nextSeq, boolean resumed, String contentType, Mode mode,
                         String metadata, SeqMode seqMode, Instant tokenExpiresAt, int parts) {

        Ownership ownership() {
            return new Ownership(id, epoch, nextSeq, contentType, mode, metadata, seqMode);
        }
    }

    /**
     * The recording a start may open, the token subject that asks (null with authentication off) and until when
     * its token is valid (null with authentication off).
     */
    private record Authorized(RecordingId id, String subject, Instant expiresAt) {
    }

    /**
     * Validates and authorizes a start, makes Redis agree with storage, then creates or takes over the
     * recording. An id that storage (or Redis) shows as ended is NOT_OPEN with that state, whatever Redis
     * forgot; a new recording past its subject's limit of open ones is RATE_LIMITED.
     */
    public CompletableFuture<Opened> start(Message.Start start, String headerToken) {
        return start(start, headerToken, Laps.OFF);
    }

    /**
     * {@link #start(Message.Start, String)}, taking a lap in {@code laps} after each step: {@code auth}, the
     * reconcile's ({@link Reconciler#reconcile(RecordingId, long, Laps)}), {@code admit}, {@code start_script}.
     */
    public CompletableFuture<Opened> start(Message.Start start, String headerToken, Laps laps) {
        Mode mode = Mode.fromWire(start.mode());
        String contentType = validContentType(start.contentType());
        String metadata = validMetadata(start.metadata());
        RecordingId requested = start.recordingId() == null ? null : RecordingId.of(start.recordingId());
        Authorized who = authorize(requested, headerToken != null ? headerToken : start.token());
        RecordingId id = who.id();
        laps.lap("auth");
        return reconciler.reconcileToOpen(id, laps)
                .thenCompose(r -> {
                    RecordingState ended = r.ended();
                    if (ended != null) {
                        throw notOpen(ended);
                    }
                    return (r.state() == null ? admit(who) : CompletableFuture.<Void>completedFuture(null))
                            .thenApply(x -> r.proof());
                })
                .thenCompose(proof -> {
                    laps.lap("admit");
                    return ledger.start(id, contentType, mode, metadata, proof);
                })
                .thenApply(o -> {
                    laps.lap("start_script");
                    if (o.kind() == StartKind.NOT_OPEN) {
                        throw notOpen(o.state());
                    }
                    if (o.kind() == StartKind.CREATED) {
                        events.announce(EventType.STARTED, id);
                    }
                    return new Opened(id, o.epoch(), o.nextSeq(), o.kind() == StartKind.RESUMED, contentType, mode,
                            metadata, o.seqMode(), who.expiresAt(), o.parts());
                });
    }

    /** Counts a new recording against its subject's limit of open recordings. */
    private CompletableFuture<Void> admit(Authorized who) {
        if (who.subject() == null || maxOpenPerSubject <= 0) {
            return CompletableFuture.completedFuture(null);
        }
        return subjects.admit(who.subject(), who.id(), maxOpenPerSubject).thenAccept(admitted -> {
            if (!admitted) {
                throw new IngestException(ErrorCode.RATE_LIMITED, "token subject has " + maxOpenPerSubject
                        + " open recordings already (RECINGEST_MAX_OPEN_PER_SUBJECT); stop one first");
            }
        });
    }

    /** Stops the recording for the connection that owns it (it has waited for its chunks in flight). */
    CompletableFuture<Message.Stopped> stop(Ownership owner, Long lastSeq) {
        RecordingId id = owner.id();
        return reconciler.reconcile(id, owner.knownNext())
                .thenCompose(r -> ledger.stop(id, owner.epoch(), lastSeq))
                .thenCompose(o -> {
                    if (!lostByRedis(o.kind() == StopKind.UNKNOWN, o.kind() == StopKind.TAKEN_OVER, o.ownerEpoch(), owner)) {
                        return CompletableFuture.completedFuture(o);
                    }
                    // Redis lost the record, or the takeover that made this connection the owner.
                    return recovery.recover(owner, Recovery.Trouble.RECLAIM)
                            .thenCompose(x -> ledger.stop(id, owner.epoch(), lastSeq));
                })
                .thenCompose(o -> stopped(id, o, lastSeq));
    }

    /**
     * A server-side stop (the admin API): no owner check; the connection that still holds the recording
     * gets 4409 when it next writes.
     */
    public CompletableFuture<Message.Stopped> stopWithoutOwner(RecordingId id) {
        return reconciler.reconcile(id, 0)
                .thenCompose(r -> ledger.stop(id, null, null))
                .thenCompose(o -> stopped(id, o, null));
    }

    /** The stop is recorded in storage (and the merge queued) before {@code stopped} is answered. */
    private CompletableFuture<Message.Stopped> stopped(RecordingId id, StopOutcome o, Long lastSeq) {
        if (o.kind() != StopKind.STOPPED) {
            return CompletableFuture.failedFuture(stopRefused(o, lastSeq));
        }
        return endings.stopped(id).thenApply(x -> new Message.Stopped(id.value(), o.chunks(), o.bytes(), o.indices()));
    }

    static boolean lostByRedis(boolean unknown, boolean takenOver, long redisEpoch, Ownership owner) {
        return unknown || (takenOver && redisEpoch < owner.epoch());
    }

    static IngestException notOpen(RecordingState state) {
        return new IngestException(ErrorCode.NOT_OPEN, "recording is " + state, new ErrorDetail.State(state.name()));
    }

    private static IngestException stopRefused(StopOutcome o, Long lastSeq) {
        return switch (o.kind()) {
            case INCOMPLETE -> incomplete(o.indices());
            case AHEAD -> {
                List<Long> missing = new ArrayList<>();
                for (long s = o.chunks(); s <= lastSeq && missing.size() < MAX_MISSING_LISTED; s++) {
                    missing.add(s);
                }
                yield incomplete(missing);
            }
            case BEHIND -> new IngestException(ErrorCode.BAD_REQUEST, "lastSeq " + lastSeq
                    + " is below the last assigned seq " + (o.chunks() - 1));
            case NOT_OPEN -> notOpen(o.state());
            case TAKEN_OVER -> new IngestException(ErrorCode.TAKEN_OVER, "recording was taken over");
            default -> new IngestException(ErrorCode.STORAGE_UNAVAILABLE, "recording state is unavailable");
        };
    }

    static IngestException incomplete(List<Long> missing) {
        return new IngestException(ErrorCode.INCOMPLETE, missing.size() + " chunk(s) missing; resend them and stop again",
                new ErrorDetail.Missing(missing));
    }

    /**
     * Aborts the recording for the connection that owns it, like any other write of it (a stale connection
     * whose recording was taken over gets TAKEN_OVER, 4409), then leaves a tombstone and deletes its chunks.
     */
    CompletableFuture<Message.Aborted> abort(Ownership owner) {
        RecordingId id = owner.id();
        return reconciler.reconcile(id, owner.knownNext())
                .thenCompose(r -> ledger.abort(id, owner.epoch()))
                .thenCompose(a -> {
                    if (!lostByRedis(a.kind() == AbortKind.UNKNOWN, a.kind() == AbortKind.TAKEN_OVER, a.ownerEpoch(),
                            owner)) {
                        return CompletableFuture.completedFuture(a);
                    }
                    return recovery.recover(owner, Recovery.Trouble.RECLAIM).thenCompose(x -> ledger.abort(id, owner.epoch()));
                })
                .thenCompose(a -> switch (a.kind()) {
                    case ABORTED -> endings.aborted(id).thenApply(x -> new Message.Aborted(id.value()));
                    case NOT_OPEN -> CompletableFuture.failedFuture(notOpen(a.state()));
                    case TAKEN_OVER -> CompletableFuture.failedFuture(new IngestException(ErrorCode.TAKEN_OVER,
                            "recording was taken over by another connection"));
                    case UNKNOWN -> CompletableFuture.failedFuture(new IngestException(ErrorCode.STORAGE_UNAVAILABLE,
                            "recording state is unavailable"));
                });
    }

    private Authorized authorize(RecordingId requested, String token) {
        if (tokens == null) {
            return new Authorized(requested != null ? requested : RecordingId.generate(), null, null);
        }
        Tokens.Grant grant = tokens.verify(token);
        RecordingId id = requested != null ? requested : grant.newId(); // a generated id the token covers
        if (!grant.covers(id)) {
            throw new IngestException(ErrorCode.FORBIDDEN, "token does not cover recording " + id);
        }
        return new Authorized(id, grant.subject() == null ? "" : grant.subject(), grant.expiresAt());
    }

    private static String validContentType(String contentType) {
        if (contentType == null || contentType.length() > 255 || !CONTENT_TYPE.matcher(contentType).matches()) {
            throw new IngestException(ErrorCode.BAD_REQUEST, "contentType is required: a MIME type such as video/webm");
        }
        return contentType;
    }

    private String validMetadata(JsonNode metadata) {
        if (metadata == null || metadata.isNull()) {
            return "";
        }
        if (!metadata.isObject()) {
            throw new IngestException(ErrorCode.BAD_REQUEST, "metadata must be a JSON object");
        }
        String json = Json.write(metadata);
        if (json.getBytes(StandardCharsets.UTF_8).length > maxMetadataBytes) {
            throw new IngestException(ErrorCode.BAD_REQUEST, "metadata is over " + maxMetadataBytes + " bytes");
        }
        return json;
    }
}
