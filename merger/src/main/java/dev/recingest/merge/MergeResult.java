package dev.recingest.merge;

import java.nio.file.Path;
import java.util.List;

/**
 * A finished FFmpeg run, not yet published.
 *
 * @param output     the MP4 in the work directory
 * @param outputInfo FFprobe of the MP4
 * @param chunks     size and SHA-256 of every chunk that went in, in index order
 * @param codecs     what happened to each stream, for logs ("video vp8->libx264, audio opus->copy")
 * @param parts      the parts the MP4 joins, in order, with their durations
 */
public record MergeResult(Path output, long outputSize, MediaInfo outputInfo, List<ChunkDigest> chunks, String codecs,
                          List<Manifest.Part> parts) {

    public MergeResult {
        chunks = List.copyOf(chunks);
        parts = List.copyOf(parts);
    }
}
