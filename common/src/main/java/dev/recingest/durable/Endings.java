package dev.recingest.durable;

import dev.recingest.state.MetaFields;
import dev.recingest.events.EventPublisher;
import dev.recingest.events.EventType;
import dev.recingest.events.RecordingEvent;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.RecordingState;
import dev.recingest.state.RecordingStore;
import dev.recingest.storage.ChunkStore;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What follows the end of a recording, the same on every path that ends one (a client's stop or abort, the
 * admin API's stop and delete, the janitor's auto-stop, a re-queued lost merge, a {@link Reconciler} that
 * found an end Redis had lost): the end is recorded in storage ({@link EndLedger}) before anything announces
 * it, then the merge is queued (a recording with no chunk fails EMPTY instead: no merge job), the webhooks
 * are published, and the keys of a final state are set to expire. Every future fails with STORAGE_UNAVAILABLE
 * when the end could not be recorded; the caller answers retryably, and a retry redoes all of it.
 */
public final class Endings {

    private static final Logger LOG = LoggerFactory.getLogger(Endings.class);

    private final RecordingStore store;
    private final ChunkStore chunks;
    private final EndLedger ledger;
    private final EventPublisher events;
    private final Duration retention;
    private final Clock clock;

    public Endings(RecordingStore store, ChunkStore chunks, EndLedger ledger, EventPublisher events, Duration retention,
                   Clock clock) {
        this.store = store;
        this.chunks = chunks;
        this.ledger = ledger;
        this.events = events;
        this.retention = retention;
        this.clock = clock;
    }

    public EndLedger ledger() {
        return ledger;
    }

    /** How long the Redis keys of an ended recording live (RECINGEST_RETENTION_REDIS). */
    public Duration retention() {
        return retention;
    }

    /**
     * The recording is STOPPED in Redis (a stop, an auto-stop, or a merge found lost): records the stop in
     * storage, then queues the merge and announces recording.stopped. A recording without a chunk that is not
     * void fails EMPTY instead, with no merge job. Does nothing if the recording is no longer STOPPED.
     */
    public CompletableFuture<Void> stopped(RecordingId id) {
        return endOf(id).thenCompose(end -> {
            if (!RecordingState.STOPPED.name().equals(end.meta().get(MetaFields.STATE))) {
                return CompletableFuture.completedFuture(null);
            }
            long n = Long.parseLong(end.meta().getOrDefault(MetaFields.CHUNKS, "0"));
            if (end.voids().stream().filter(v -> v >= 0 && v < n).count() >= n) {
                return failEmpty(id, end, n);
            }
            return ledger.recordStop(id, end.meta(), end.voids(), false)
                    .thenCompose(x -> store.mergeQueue().enqueue(id))
                    .thenCompose(x -> events.announce(EventType.STOPPED, id))
                    .thenApply(x -> null);
        });
    }

    /** No merge for nothing: recorded FAILED (EMPTY) in storage first, then in Redis, then announced. */
    private CompletableFuture<Void> failEmpty(RecordingId id, End end, long n) {
        Map<String, String> failure = Map.of(MetaFields.ERROR_CODE, "EMPTY", MetaFields.ERROR_MESSAGE, n == 0
                ? "the recording has no chunks" : "every one of the " + n + " chunks is void",
                MetaFields.FAILED_AT, Long.toString(clock.millis()));
        Map<String, String> meta = new HashMap<>(end.meta());
        meta.putAll(failure);
        LOG.atInfo().addKeyValue("recording", id).addKeyValue("chunks", n).addKeyValue("reason", "no chunk to merge")
                .log("recording failed empty");
        return ledger.recordFailure(id, meta, end.voids())
                .thenCompose(x -> store.transition(id, List.of(RecordingState.STOPPED), RecordingState.FAILED, failure))
                .thenCompose(t -> !t.ok() ? CompletableFuture.completedFuture(null)
                        : events.announce(EventType.STOPPED, id).thenCompose(x -> concluded(id, RecordingState.FAILED)));
    }

    /** The janitor's auto-stop found explicit seqs never stored and failed it (MISSING_CHUNKS). */
    public CompletableFuture<Void> failed(RecordingId id) {
        return endOf(id).thenCompose(end -> !RecordingState.FAILED.name().equals(end.meta().get(MetaFields.STATE))
                ? CompletableFuture.completedFuture(null)
                : ledger.recordFailure(id, end.meta(), end.voids()).thenCompose(x -> concluded(id, RecordingState.FAILED)));
    }

    /**
     * The recording is ABORTED in Redis: leaves a tombstone (so the id is never opened again, whatever Redis
     * forgets), deletes its chunks, lets its keys expire, and announces recording.aborted.
     */
    public CompletableFuture<Void> aborted(RecordingId id) {
        return store.fields(id).thenCompose(meta -> ledger.recordTombstone(id, false, at(meta, MetaFields.ABORTED_AT))
                .thenCompose(x -> chunks.deleteChunks(id))
                .thenCompose(x -> concluded(id, RecordingState.ABORTED)));
    }

    /**
     * The admin API is deleting the recording: leaves a tombstone first (the delete of its objects may be cut
     * short; the id stays ended either way), then announces recording.deleted with what the record said
     * before ({@code before}, empty when Redis had forgotten it).
     */
    public CompletableFuture<Void> deleting(RecordingId id, Map<String, String> before) {
        long now = clock.millis();
        // Keys expired: the manifest (still there until the delete) describes the recording for the event.
        CompletableFuture<Map<String, String>> described = !before.isEmpty() ? CompletableFuture.completedFuture(before)
                : ledger.manifest(id).thenApply(m -> m.map(EndRecord::fields).orElse(Map.of()));
        return described.thenCompose(fields -> {
            Map<String, String> meta = new HashMap<>(fields);
            meta.put(MetaFields.DELETED_AT, Long.toString(now));
            return ledger.recordTombstone(id, true, now)
                    .thenCompose(x -> ledger.mergeConcluded(id))
                    .thenCompose(x -> events.publish(RecordingEvent.of(EventType.DELETED, id, meta, clock)));
        }).thenApply(x -> null);
    }

    /**
     * A {@link Reconciler} moved Redis to {@code end}, which storage records and Redis had lost: what was
     * lost with it follows (the merge job of a stop; the announcement and expiry of a final state).
     */
    CompletableFuture<Void> settled(RecordingId id, EndRecord end) {
        LOG.atWarn().addKeyValue("recording", id).addKeyValue("state", end.state()).addKeyValue("deleted", end.deleted())
                .log("recording end restored from storage");
        return switch (end.state()) {
            case STOPPED -> store.mergeQueue().enqueue(id).thenCompose(x -> events.announce(EventType.STOPPED, id)).thenApply(x -> null);
            case COMPLETED, FAILED -> concluded(id, end.state());
            case ABORTED -> end.deleted()
                    ? store.retention().tombstone(id, retention).thenCompose(x -> events.announce(EventType.DELETED, id)).thenApply(x -> null)
                    : concluded(id, RecordingState.ABORTED);
            default -> CompletableFuture.completedFuture(null);
        };
    }

    /** Announces a final state, marks it announced (the merger's outcome check reads the mark) and lets the keys expire. */
    private CompletableFuture<Void> concluded(RecordingId id, RecordingState state) {
        EventType type = switch (state) {
            case COMPLETED -> EventType.COMPLETED;
            case ABORTED -> EventType.ABORTED;
            default -> EventType.FAILED;
        };
        // The owed-merge mark goes best effort: the janitor's audit removes a mark whose recording has an outcome.
        return ledger.mergeConcluded(id).exceptionally(e -> null)
                .thenCompose(x -> events.announce(type, id))
                .thenCompose(ok -> ok ? store.setFields(id, Map.of(MetaFields.ANNOUNCED, state.name()))
                        : CompletableFuture.completedFuture(null))
                // Best effort: keys that do not expire cost memory, not correctness.
                .thenCompose(x -> store.retention().expire(id, retention).exceptionally(e -> null));
    }

    private long at(Map<String, String> meta, String field) {
        String v = meta.get(field);
        return v == null || v.isEmpty() ? clock.millis() : Long.parseLong(v);
    }

    private record End(Map<String, String> meta, List<Long> voids) {
    }

    private CompletableFuture<End> endOf(RecordingId id) {
        return store.fields(id).thenCombine(store.voidIndices(id), End::new);
    }
}
