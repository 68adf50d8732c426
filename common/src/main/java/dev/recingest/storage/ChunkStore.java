package dev.recingest.storage;

import dev.recingest.protocol.RecordingId;
import io.netty.buffer.ByteBuf;
import java.util.SortedMap;
import java.util.concurrent.CompletableFuture;

/**
 * Where chunk payloads live. Every future fails with an {@link dev.recingest.protocol.IngestException}
 * of code STORAGE_UNAVAILABLE (retryable) when the store cannot be reached within its retries, and with
 * NOT_FOUND for a chunk that does not exist; never with anything else.
 */
public interface ChunkStore {

    /**
     * Durably stores one chunk under its index, replacing nothing but an identical resend (index ==
     * seq, or a server-assigned index that is new). What is stored is exactly the bytes {@code payload}
     * holds at the call, or nothing (the call then fails). Takes ownership of {@code payload}: it is
     * released exactly once, when the returned future completes successfully, or some time after it failed
     * (an implementation whose transport may still read the buffer after a failure waits for that).
     */
    CompletableFuture<Void> putChunk(RecordingId id, long index, ByteBuf payload);

    /** Index to size of every exact chunk object of the recording (partial temporary objects ignored). */
    CompletableFuture<SortedMap<Long, Long>> listChunks(RecordingId id);

    /**
     * What storage holds for the recording from chunk index {@code from} on: every exact chunk object at or
     * above it, and whether its manifest and tombstone exist. One listing that starts after
     * {@code chunks/<from - 1>} (S3 {@code StartAfter}), so it costs O(objects at or above {@code from}),
     * not O(recording).
     */
    CompletableFuture<StoredObjects> listFrom(RecordingId id, long from);

    /** The bytes of one chunk. */
    CompletableFuture<byte[]> getChunk(RecordingId id, long index);

    /** Deletes every chunk object of the recording, and the marks of its part boundaries. */
    CompletableFuture<Void> deleteChunks(RecordingId id);

    /** Completes normally when the store answers (for readiness checks). */
    CompletableFuture<Void> ping();
}
