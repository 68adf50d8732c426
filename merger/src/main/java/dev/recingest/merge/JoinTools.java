package dev.recingest.merge;

import dev.recingest.protocol.RecordingId;
import dev.recingest.storage.ChunkStore;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * What the join strategies share, one instance per merger: the chunk store and the pool that issues its GETs
 * (daemon threads, so the tools, kept for the process's life, need no close), FFprobe, FFmpeg and its encoders.
 */
record JoinTools(MergerConfig config, ChunkStore chunks, MediaProbe probe, FfmpegJoin ffmpeg, FfmpegCapabilities caps,
                 ExecutorService issuer) {

    JoinTools(MergerConfig config, ChunkStore chunks, MediaProbe probe, FfmpegJoin ffmpeg, FfmpegCapabilities caps) {
        this(config, chunks, probe, ffmpeg, caps, Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "merge-get");
            t.setDaemon(true);
            return t;
        }));
    }

    /** Reads {@code refs} of {@code id} ahead, in order (see {@link ChunkPrefetcher}). */
    ChunkPrefetcher prefetch(RecordingId id, List<ChunkPlan.ChunkRef> refs) {
        return new ChunkPrefetcher(chunks, id, refs, config.prefetch(), config.prefetchBytes(), config.chunkTimeout(),
                issuer);
    }
}
