package dev.recingest.gateway.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recingest.auth.Tokens;
import dev.recingest.config.Retention;
import dev.recingest.events.EventPublisher;
import dev.recingest.events.EventType;
import dev.recingest.protocol.ErrorCode;
import dev.recingest.protocol.IngestException;
import dev.recingest.protocol.Json;
import dev.recingest.protocol.Message;
import dev.recingest.protocol.Mode;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.Outcomes.StartKind;
import dev.recingest.state.Outcomes.StopKind;
import dev.recingest.state.Outcomes.StopOutcome;
import dev.recingest.state.RecordingState;
import dev.recingest.state.RecordingStore;
import dev.recingest.state.SeqMode;
import dev.recingest.storage.ChunkStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

/**
 * {@code start}, {@code stop} and {@code abort}: validation, authorization, the state scripts, repair
 * from storage, and queueing the merge. Failures are {@link IngestException}s whose code says how the
 * connection answers. A new recording and a stop are announced (recording.started, recording.stopped)
 * without waiting: the outbox never holds up a recorder.
 */
public final class RecordingLifecycle {

    /**
     * A MIME type with optional parameters: printable ASCII only, and only spaces or tabs before the ';'
     * (a "\\s" there let CR and LF through, which would end up in S3 and webhook headers).
     */
    private static final Pattern CONTENT_TYPE = Pattern.compile("[A-Za-z0-9.+-]+/[A-Za-z0-9.+-]+([ \\t]*;[ -~]*)?");
    private static final int MAX_MISSING_LISTED = 1000;

    private final RecordingStore store;
    private final ChunkStore chunks;
    private final StateRepair repair;
    private final Tokens tokens;
    private final int maxMetadataBytes;
    private final EventPublisher events;
    private final Duration retention;

    /** @param tokens null when authentication is off */
    public RecordingLifecycle(RecordingStore store, ChunkStore chunks, StateRepair repair, Tokens tokens,
                              int maxMetadataBytes) {
        this(store, chunks, repair, tokens, maxMetadataBytes, EventPublisher.none(), Retention.defaults());
    }

    /**
     * @param tokens    null when authentication is off
     * @param events    where recording.started and recording.stopped go
     * @param retention how long an ABORTED recording's Redis keys live
     */
    public RecordingLifecycle(RecordingStore store, ChunkStore chunks, StateRepair repair, Tokens tokens,
                              int maxMetadataBytes, EventPublisher events, Retention retention) {
        this.store = store;
        this.chunks = chunks;
        this.repair = repair;
        this.tokens = tokens;
        this.maxMetadataBytes = maxMetadataBytes;
        this.events = events;
        this.retention = retention.redisKeys();
    }

    /** How long the Redis keys of an ended recording live (RECINGEST_RETENTION_REDIS). */
    public Duration retention() {
        return retention;
    }

    /**
     * An opened recording as this connection owns it.
     *
     * @param metadata the start's metadata as JSON ("" for none), kept to re-create a lost record
     * @param seqMode  the recording's seq mode if a chunk set it already, else null
     * @param tokenExpiresAt when the token the connection started with expires; null with authentication off
     */
    public record Opened(RecordingId id, long epoch, long nextSeq, boolean resumed, String contentType, Mode mode,
                         String metadata, SeqMode seqMode, Instant tokenExpiresAt) {

        Ownership ownership() {
            return new Ownership(id, epoch, nextSeq, contentType, mode, metadata, seqMode);
        }
    }

    /** Validates and authorizes a start, then creates or takes over the recording. */
    public CompletableFuture<Opened> start(Message.Start start, String headerToken) {
        Mode mode = Mode.fromWire(start.mode());
        String contentType = validContentType(start.contentType());
        String metadata = validMetadata(start.metadata());
        RecordingId requested = start.recordingId() == null ? null : RecordingId.of(start.recordingId());
        Authorized auth = authorize(requested, headerToken != null ? headerToken : start.token());
        RecordingId id = auth.id();
        return store.start(id, contentType, mode, metadata).thenCompose(o -> {
            if (o.kind() == StartKind.NOT_OPEN) {
                throw new IngestException(ErrorCode.NOT_OPEN, "recording is " + o.state(),
                        Map.of("state", o.state().name()));
            }
            if (o.kind() == StartKind.CREATED) {
                events.announce(EventType.STARTED, id);
            }
            return repair.repair(id).thenApply(next -> new Opened(id, o.epoch(), Math.max(next, o.nextSeq()),
                    o.kind() == StartKind.RESUMED, contentType, mode, metadata, o.seqMode(), auth.expiresAt()));
        });
    }

    /** Stops the recording for the connection that owns it (it has waited for its chunks in flight). */
    CompletableFuture<Message.Stopped> stop(Ownership owner, Long lastSeq, Recovery recovery) {
        RecordingId id = owner.id();
        return repair.repair(id, owner.knownNext())
                .thenCompose(next -> store.stop(id, owner.epoch(), lastSeq))
                .thenCompose(o -> {
                    if (!lostByRedis(o, owner)) {
                        return CompletableFuture.completedFuture(o);
                    }
                    // Redis lost the record, or the takeover that made this connection the owner.
                    return recovery.recover(owner, Recovery.Trouble.RECLAIM)
                            .thenCompose(x -> store.stop(id, owner.epoch(), lastSeq));
                })
                .thenCompose(o -> stopped(id, o, lastSeq));
    }

    /**
     * A server-side stop (the admin API): no owner check; the connection that still holds the recording
     * gets 4409 when it next writes.
     */
    public CompletableFuture<Message.Stopped> stopWithoutOwner(RecordingId id) {
        return repair.repair(id)
                .thenCompose(next -> store.stop(id, null, null))
                .thenCompose(o -> stopped(id, o, null));
    }

    private CompletableFuture<Message.Stopped> stopped(RecordingId id, StopOutcome o, Long lastSeq) {
        if (o.kind() != StopKind.STOPPED) {
            return CompletableFuture.failedFuture(stopRefused(o, lastSeq));
        }
        return store.queueMerge(id).thenApply(x -> {
            events.announce(EventType.STOPPED, id);
            return new Message.Stopped(id.value(), o.chunks(), o.bytes(), o.indices());
        });
    }

    private static boolean lostByRedis(StopOutcome o, Ownership owner) {
        return o.kind() == StopKind.UNKNOWN || (o.kind() == StopKind.TAKEN_OVER && o.ownerEpoch() < owner.epoch());
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
            case NOT_OPEN -> new IngestException(ErrorCode.NOT_OPEN, "recording is " + o.state(),
                    Map.of("state", o.state().name()));
            case TAKEN_OVER -> new IngestException(ErrorCode.TAKEN_OVER, "recording was taken over");
            default -> new IngestException(ErrorCode.STORAGE_UNAVAILABLE, "recording state is unavailable");
        };
    }

    private static IngestException incomplete(List<Long> missing) {
        return new IngestException(ErrorCode.INCOMPLETE, missing.size() + " chunk(s) missing; resend them and stop again",
                Map.of("missing", missing));
    }

    /** Aborts the recording and deletes its chunks. */
    public CompletableFuture<Message.Aborted> abort(RecordingId id) {
        return store.transition(id, EnumSet.of(RecordingState.RECORDING, RecordingState.STALLED, RecordingState.STOPPED),
                        RecordingState.ABORTED, Map.of())
                .thenCompose(t -> {
                    if (!t.ok()) {
                        String state = t.previous() == null ? "UNKNOWN" : t.previous().name();
                        throw new IngestException(ErrorCode.NOT_OPEN, "recording is " + state, Map.of("state", state));
                    }
                    return chunks.deleteChunks(id);
                })
                // Best effort: keys that do not expire cost memory, not correctness.
                .thenCompose(x -> store.expire(id, retention).exceptionally(e -> null))
                .thenApply(x -> new Message.Aborted(id.value()));
    }

    /** The recording a start may open, and until when its token is valid (null with authentication off). */
    private record Authorized(RecordingId id, Instant expiresAt) {
    }

    private Authorized authorize(RecordingId requested, String token) {
        if (tokens == null) {
            return new Authorized(requested != null ? requested : RecordingId.generate(), null);
        }
        Tokens.Grant grant = tokens.verify(token);
        RecordingId id = requested != null ? requested : grant.newId(); // a generated id the token covers
        if (!grant.covers(id)) {
            throw new IngestException(ErrorCode.FORBIDDEN, "token does not cover recording " + id);
        }
        return new Authorized(id, grant.expiresAt());
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
