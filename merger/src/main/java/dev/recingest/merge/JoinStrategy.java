package dev.recingest.merge;

import dev.recingest.protocol.Mode;
import dev.recingest.state.PartStart;
import dev.recingest.state.Recording;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How a recording's chunks become media FFmpeg can read, chosen once per recording ({@link #of}) from what the
 * chunks are (DESIGN.md, merger): {@link ByteStreamJoin} pipes them as one byte stream (stream mode, where only
 * chunk 0 has the container header; and MPEG-TS segments, which are made to be concatenated), {@link ConcatJoin}
 * writes them to files the concat demuxer joins (segments with a header each). {@link MergePipeline} runs the one
 * it is given, for a whole recording or part by part, then checks the MP4.
 */
interface JoinStrategy {

    /** A whole recording joined into {@code output}: what FFprobe saw of its input, the codec plan, the chunks read. */
    record Whole(MediaInfo input, CodecPlan codecs, List<ChunkDigest> digests) {
    }

    /** The parts' Matroska files (streams copied) and the digests of every chunk read for them. */
    record Parts(List<PartsJoin.PartFile> files, List<ChunkDigest> digests) {
    }

    /**
     * Joins every chunk of {@code plan} into {@code output}.
     *
     * @param dir an empty directory of the attempt for what the join needs on disk
     * @return null, {@code output} to be thrown away, when the bytes hold a second container stream no part declared
     *         (the recording is then merged again as parts, that stream being one)
     */
    Whole joinWhole(Recording rec, ChunkPlan plan, Path dir, Path output, AtomicLong progress, Duration limit)
            throws InterruptedException;

    /** Joins each part into its own Matroska file in {@code dir}, streams copied, for {@link PartsJoin}. */
    Parts joinParts(Recording rec, ChunkPlan plan, List<PartStart> declared, Path dir, AtomicLong progress,
                    Duration limit) throws InterruptedException;

    /** Stream mode and MPEG-TS segments are joined as bytes; other segments by the concat demuxer. */
    static boolean byteJoined(Mode mode, InputFormat format) {
        return mode == Mode.STREAM || format.mpegTs();
    }

    /** The strategy for a recording of {@code mode} whose chunks are {@code format}. */
    static JoinStrategy of(Mode mode, InputFormat format, JoinTools tools) {
        return byteJoined(mode, format) ? new ByteStreamJoin(tools, format) : new ConcatJoin(tools, format);
    }
}
