package dev.recingest.state;

import dev.recingest.protocol.RecordingId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.concurrent.CompletableFuture;

/**
 * Reading recording records (the admin API, the merger, the janitor, the storage reconciler); the Redis
 * implementation is {@link RecordingStore}. Reads never block and change nothing. What they return is what
 * Redis holds now, which can be behind storage (Redis lost writes): a caller that decides something lasting
 * from a read makes Redis agree with storage first ({@code durable.Reconciler}). An unknown recording reads as
 * empty (an empty Optional, map or list), never as an error; a future fails only when Redis cannot be reached.
 */
public interface RecordReader {

    /** The recording as one record: its meta fields, its chunk counter and its part boundaries; empty when unknown. */
    CompletableFuture<Optional<Recording>> get(RecordingId id);

    /** The part boundaries after part 0 (first seq to start time, epoch ms); see {@link PartStart}. */
    CompletableFuture<Map<Long, Long>> partBoundaries(RecordingId id);

    /**
     * Every field of the meta record as stored ({@link MetaFields}), for readers that need one {@link Recording}
     * does not carry (for example {@code stoppedAt}); empty when the recording is unknown.
     */
    CompletableFuture<Map<String, String>> fields(RecordingId id);

    /** Index to size of every chunk Redis records as stored. */
    CompletableFuture<SortedMap<Long, Long>> storedChunks(RecordingId id);

    /** The indices given up as void (at-least-once chunks that could not be stored), ascending. */
    CompletableFuture<List<Long>> voidIndices(RecordingId id);

    /** Ids in creation order, from {@code offset}, at most {@code limit}. */
    CompletableFuture<List<String>> listIds(long offset, long limit);
}
