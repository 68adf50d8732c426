package dev.recingest.merge;

import dev.recingest.state.PartStart;
import dev.recingest.state.Recording;
import dev.recingest.storage.ChunkStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the chunks of a plan into one MP4 in the work directory, joining them the way that is exact for what
 * they are: the {@link JoinStrategy} chosen once for the recording ({@link ByteStreamJoin} or {@link ConcatJoin}),
 * then FFprobe of the MP4, which must have what went in. Every FFmpeg and FFprobe run reads the chunks as the
 * recording's {@link InputFormat}, which also refuses a content type the merger does not read before anything
 * runs. Stateless: one instance serves every worker thread.
 *
 * <p>A recording of several parts (PROTOCOL.md, "part") is joined by its strategy part by part, each into its own
 * Matroska file with its streams copied (one continuous timeline per part), and {@link PartsJoin} joins those.
 * A stream-mode recording declared as one part is merged directly, unless its bytes hold a second container
 * stream ({@link StreamStarts}): then it is merged again as parts, that stream being one.
 */
final class MergePipeline {

    private static final Logger LOG = LoggerFactory.getLogger(MergePipeline.class);
    /**
     * The lowest bit rate a recording is assumed to have (256 kbit/s) when its length is estimated from its
     * size for the FFmpeg time limit: a recording pushed from a file faster than real time has a short wall
     * clock span but its full size.
     */
    static final long MIN_BYTES_PER_SECOND = 32 << 10;
    /**
     * Local disk a merge needs, in multiples of its input: the output (a copy is about as large as its
     * input; a transcode measured here came out at 1.6 times), plus the segment files the concat demuxer
     * reads when the segments are not byte-joined.
     */
    static final int DISK_PER_INPUT_BYTE_JOINED = 2;
    static final int DISK_PER_INPUT_CONCAT = 3;
    private static final long DISK_SLACK = 16L << 20;

    private final MergerConfig config;
    private final JoinTools tools;

    MergePipeline(MergerConfig config, ChunkStore chunks, MediaProbe probe, FfmpegJoin join, FfmpegCapabilities caps) {
        this.config = config;
        this.tools = new JoinTools(config, chunks, probe, join, caps);
    }

    /**
     * @param dir      an empty directory of this attempt, deleted by the caller
     * @param progress counts bytes as they are handed to FFmpeg (or written as segment files)
     */
    MergeResult merge(Recording rec, ChunkPlan plan, Path dir, AtomicLong progress) throws InterruptedException {
        JoinStrategy strategy = JoinStrategy.of(rec.mode(), InputFormat.of(rec.contentType()), tools);
        Duration limit = config.ffmpegLimit(estimatedSeconds(rec, plan.totalBytes()));
        List<PartStart> parts = partsWithChunks(rec, plan);
        if (parts.size() > 1) {
            return mergeParts(strategy, rec, plan, parts, dir, progress, limit);
        }
        Path output = dir.resolve("recording.mp4");
        long joinStarted = System.nanoTime();
        JoinStrategy.Whole joined = strategy.joinWhole(rec, plan, dir, output, progress, limit);
        if (joined == null) {
            // A second container stream where no part was declared: merged again, as parts.
            progress.set(0);
            WorkSpace.deleteTree(output);
            return mergeParts(strategy, rec, plan, parts, dir, progress, limit);
        }
        // One line per phase, so an operator (and the merge benchmark) sees where a slow merge spent its time.
        LOG.atInfo().addKeyValue("recording", rec.id()).addKeyValue("outputBytes", size(output))
                .addKeyValue("durationMs", millisSince(joinStarted)).log("merge joined");
        MediaInfo input = joined.input();
        MediaInfo out = probeOutput(output);
        verifyOutput(input.firstVideo().isPresent(), input.firstAudio().isPresent(), out);
        PartStart only = parts.get(0);
        Manifest.Part part = new Manifest.Part(0, 0, null, plan.chunkCount(), out.durationSeconds(),
                Manifest.iso(only.startedAt()), true);
        return new MergeResult(output, size(output), out, joined.digests(), joined.codecs().describe(input), List.of(part));
    }

    /** The declared parts that hold a chunk to merge (a part with none, such as one right before a stop, plays nothing). */
    static List<PartStart> partsWithChunks(Recording rec, ChunkPlan plan) {
        List<PartStart> declared = rec.parts();
        List<PartStart> out = new ArrayList<>();
        for (int i = 0; i < declared.size(); i++) {
            long from = declared.get(i).firstSeq();
            long to = i + 1 < declared.size() ? declared.get(i + 1).firstSeq() : Long.MAX_VALUE;
            if (plan.chunks().stream().anyMatch(c -> c.index() >= from && c.index() < to)) {
                out.add(declared.get(i));
            }
        }
        return out.isEmpty() ? List.of(declared.get(0)) : out;
    }

    /** Merges part by part: each part's chunks into its own Matroska file by the strategy, then {@link PartsJoin}. */
    private MergeResult mergeParts(JoinStrategy strategy, Recording rec, ChunkPlan plan, List<PartStart> declared,
                                   Path dir, AtomicLong progress, Duration limit) throws InterruptedException {
        long joinStarted = System.nanoTime();
        Path partsDir = dir.resolve("parts");
        try {
            Files.createDirectories(partsDir);
        } catch (IOException e) {
            throw new MergeFailure(MergeError.INTERNAL, "cannot create " + partsDir + ": " + e, e);
        }
        JoinStrategy.Parts spans = strategy.joinParts(rec, plan, declared, partsDir, progress, limit);
        Path output = dir.resolve("recording.mp4");
        PartsJoin.Joined joined = new PartsJoin(tools.probe(), tools.ffmpeg(), tools.caps()).join(spans.files(), partsDir,
                output, rec.id().value(), limit);
        LOG.atInfo().addKeyValue("recording", rec.id()).addKeyValue("parts", joined.parts().size())
                .addKeyValue("undeclaredParts", joined.parts().stream().filter(p -> !p.declared()).count())
                .addKeyValue("outputBytes", size(output)).addKeyValue("durationMs", millisSince(joinStarted))
                .log("merge joined");
        MediaInfo out = probeOutput(output);
        verifyOutput(joined.video(), joined.audio(), out);
        PartsJoin.verifyLength(joined.parts(), out);
        return new MergeResult(output, size(output), out, spans.digests(), joined.codecs(), joined.parts());
    }

    private MediaInfo probeOutput(Path output) throws InterruptedException {
        try {
            return tools.probe().probe(output, InputFormat.OUTPUT_MP4);
        } catch (MergeFailure f) {
            throw new MergeFailure(MergeError.FFMPEG_FAILED, "ffmpeg wrote an unreadable output: " + f.getMessage(), f);
        }
    }

    /**
     * How long the recording plays, as far as can be told before FFmpeg has read it: the wall clock time it
     * was recorded over, or its size at {@link #MIN_BYTES_PER_SECOND}, whichever is longer.
     */
    static double estimatedSeconds(Recording rec, long bytes) {
        double bySize = (double) bytes / MIN_BYTES_PER_SECOND;
        double byClock = rec.createdAt() == null || rec.lastChunkAt() == null ? 0
                : Duration.between(rec.createdAt(), rec.lastChunkAt()).toMillis() / 1000.0;
        return Math.max(bySize, byClock);
    }

    /**
     * The local disk a merge of {@code rec} needs (see {@link #DISK_PER_INPUT_BYTE_JOINED}); a recording of
     * several parts also holds its parts' files (about its input's size) until they are joined.
     */
    static long diskNeeded(Recording rec) {
        boolean joined;
        try {
            joined = JoinStrategy.byteJoined(rec.mode(), InputFormat.of(rec.contentType()));
        } catch (MergeFailure unsupported) {
            joined = true; // refused before anything is written
        }
        int perByte = (joined ? DISK_PER_INPUT_BYTE_JOINED : DISK_PER_INPUT_CONCAT) + (rec.parts().size() > 1 ? 1 : 0);
        return rec.bytes() * perByte + DISK_SLACK;
    }

    /** FFmpeg can exit 0 and still drop streams or write nothing playable; the MP4 must have what went in. */
    private static void verifyOutput(boolean video, boolean audio, MediaInfo out) {
        if (out.durationSeconds() == null || out.durationSeconds() <= 0) {
            throw new MergeFailure(MergeError.FFMPEG_FAILED, "the output has no duration");
        }
        if (video && out.firstVideo().isEmpty()) {
            throw new MergeFailure(MergeError.FFMPEG_FAILED, "the output lost the video stream");
        }
        if (audio && out.firstAudio().isEmpty()) {
            throw new MergeFailure(MergeError.FFMPEG_FAILED, "the output lost the audio stream");
        }
    }

    private static long millisSince(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
