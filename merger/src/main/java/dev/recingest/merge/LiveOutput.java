package dev.recingest.merge;

import dev.recingest.protocol.RecordingId;
import dev.recingest.storage.OutputStore;
import java.util.List;
import java.util.Optional;

/**
 * The MP4 a recording's live rendition built while it recorded ({@code dev.recingest.live}), which a merge publishes
 * instead of merging the chunks: the same output in constant time at the stop. The merge still decides: it checks
 * that the rendition read exactly the chunks Redis records (indices and sizes), claims the recording as for any
 * output, and publishes the staged upload; anything else, or no rendition in time, and it merges the chunks.
 */
public interface LiveOutput {

    /**
     * A rendition's finished MP4, uploaded but not completed.
     *
     * @param upload completing it makes the MP4 visible at the output key
     * @param result what the manifest and the logs say of it ({@link MergeResult#output()} is null: no local file;
     *               its parts are left to the merge, which knows the recording's)
     */
    record Staged(OutputStore.StagedUpload upload, MergeResult result, long chunkCount) {
    }

    /**
     * Waits, no longer than the rendition's finishing allows, for the recording's rendition to have staged the MP4 of
     * its {@code chunkCount} chunks. Empty: there is none (no rendition, a failed one, one behind for too long, or
     * one of other chunks); the merge merges the chunks.
     */
    Optional<Staged> await(RecordingId id, long chunkCount) throws InterruptedException;

    /** No live renditions: every merge merges the chunks. */
    LiveOutput NONE = (id, n) -> Optional.empty();

    /** The chunks a staged MP4 holds, as a map for {@link ContiguityCheck}: index to size. */
    static java.util.Map<Long, Long> sizes(List<ChunkDigest> chunks) {
        java.util.Map<Long, Long> m = new java.util.HashMap<>();
        chunks.forEach(c -> m.put(c.index(), c.size()));
        return m;
    }
}
