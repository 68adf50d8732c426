package dev.recingest.merge;

import java.util.List;

/**
 * What a merge reads: every non-void index of 0..N-1, in order, with its size (Redis and storage agree
 * on it), and the void indices that are skipped.
 *
 * @param chunkCount N, the recording's final chunk count
 */
public record ChunkPlan(long chunkCount, List<ChunkRef> chunks, List<Long> voids, long totalBytes) {

    /** One chunk to read: its index and the size both Redis and storage recorded. */
    public record ChunkRef(long index, long size) {
    }

    public ChunkPlan {
        chunks = List.copyOf(chunks);
        voids = List.copyOf(voids);
    }
}
