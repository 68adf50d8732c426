package dev.recingest.gateway.ingest;

import dev.recingest.protocol.IngestException;

/** What became of one chunk frame. */
sealed interface ChunkResult {

    /** Durably stored and recorded: answer {@code ack}. */
    record Acked(long seq, long index, long size) implements ChunkResult {
    }

    /** Not stored: answer {@code nack}; {@code index} only in at-least-once mode. */
    record Nacked(long seq, boolean retryable, Long index, String message) implements ChunkResult {
    }

    /** The seq is ahead of the counter (after repair): answer SEQ_GAP; the connection stays open. */
    record Gap(long seq, long expected) implements ChunkResult {
    }

    /** The connection must end: taken over, recording no longer open, mixed seq modes. */
    record Fatal(IngestException error) implements ChunkResult {
    }
}
