package dev.recingest.merge;

import dev.recingest.protocol.Mode;
import dev.recingest.state.PartStart;
import dev.recingest.state.Recording;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Joins the chunks as bytes: in order, as one byte stream piped into FFmpeg ({@code stream} mode, where only chunk
 * 0 has the container header, so they are not files; and MPEG-TS segments: TS is made to be concatenated, while the
 * concat demuxer over TS drifts). In stream mode it watches the bytes for a second container stream
 * ({@link StreamStarts}), which no part declared and which becomes a part of its own.
 */
final class ByteStreamJoin implements JoinStrategy {

    private static final Logger LOG = LoggerFactory.getLogger(ByteStreamJoin.class);
    /** How much of the stream's start FFprobe reads to learn the codecs (the headers and first frames). */
    static final long PROBE_BYTES = 1 << 20;

    private final JoinTools tools;
    private final InputFormat format;

    ByteStreamJoin(JoinTools tools, InputFormat format) {
        this.tools = tools;
        this.format = format;
    }

    /**
     * Probes the stream's first chunks (up to {@link #PROBE_BYTES}: enough for the container header and
     * the first frames even when a client cuts very small chunks, never the whole recording) and pipes
     * every chunk into FFmpeg. The probe reads from the same prefetcher as FFmpeg: its chunks are handed
     * to FFmpeg afterwards rather than downloaded twice, and the window keeps downloading meanwhile.
     */
    @Override
    public Whole joinWhole(Recording rec, ChunkPlan plan, Path dir, Path output, AtomicLong progress, Duration limit)
            throws InterruptedException {
        StreamStarts detector = rec.mode() == Mode.STREAM ? StreamStarts.of(format) : null;
        try (ChunkInputStream in = new ChunkInputStream(tools.prefetch(rec.id(), plan.chunks()), progress, plan.chunks(),
                Set.of(), detector)) {
            ChunkInputStream.Prefix head = in.peek(PROBE_BYTES);
            MediaInfo input = tools.probe().probe(new ByteArrayInputStream(head.bytes()), format,
                    "the first " + head.chunks() + " chunks");
            CodecPlan codecs = CodecPlan.choose(input, tools.caps());
            LOG.atInfo().addKeyValue("recording", rec.id()).addKeyValue("join", "bytes")
                    .addKeyValue("chunks", plan.chunks().size()).addKeyValue("bytes", plan.totalBytes())
                    .addKeyValue("format", input.formatName()).addKeyValue("codecs", codecs.describe(input))
                    .addKeyValue("ffmpegLimitMs", limit.toMillis()).log("merging");
            ffmpeg(in, codecs, output, rec.id().value(), progress, limit);
            if (in.boundary() != null) {
                LOG.atWarn().addKeyValue("recording", rec.id()).addKeyValue("index", in.boundary().index())
                        .addKeyValue("byte", in.boundary().offset()).addKeyValue("format", format.demuxer())
                        .addKeyValue("note", "a new stream where the client sent no part; merging again as parts")
                        .log("merge found a second stream");
                return null;
            }
            if (!in.complete()) {
                throw new MergeFailure(MergeError.FFMPEG_FAILED, "ffmpeg stopped reading after " + progress.get()
                        + " of " + plan.totalBytes() + " bytes");
            }
            return new Whole(input, codecs, in.digests());
        }
    }

    /**
     * One byte stream per part, read from one pass over the chunks: a part ends at the next declared part's
     * first chunk, or (stream mode) where a new container stream begins, which becomes a part of its own.
     */
    @Override
    public Parts joinParts(Recording rec, ChunkPlan plan, List<PartStart> declared, Path dir, AtomicLong progress,
                           Duration limit) throws InterruptedException {
        Set<Long> starts = new HashSet<>();
        declared.stream().skip(1).forEach(p -> starts.add(p.firstSeq()));
        StreamStarts detector = rec.mode() == Mode.STREAM ? StreamStarts.of(format) : null;
        List<PartsJoin.PartFile> files = new ArrayList<>();
        try (ChunkInputStream in = new ChunkInputStream(tools.prefetch(rec.id(), plan.chunks()), progress, plan.chunks(),
                starts, detector)) {
            long firstIndex = plan.chunks().get(0).index();
            int firstByte = 0;
            boolean declaredPart = true;
            int declaredAt = 0;
            while (true) {
                int n = files.size();
                Path file = dir.resolve(String.format("part-%04d.mkv", n));
                ffmpeg(in, CodecPlan.remux(), file, rec.id().value() + "-part-" + n, progress, limit);
                ChunkInputStream.Boundary end = in.boundary();
                if (end == null && !in.complete()) {
                    throw new MergeFailure(MergeError.FFMPEG_FAILED, "ffmpeg stopped reading part " + n + " after "
                            + progress.get() + " of " + plan.totalBytes() + " bytes");
                }
                long endIndex = end == null ? plan.chunkCount() : end.index() + (end.offset() > 0 ? 1 : 0);
                PartStart d = declaredPart ? declared.get(declaredAt) : null;
                files.add(new PartsJoin.PartFile(new Manifest.Part(n, firstIndex, firstByte == 0 ? null : firstByte,
                        endIndex - firstIndex, null, d == null ? null : Manifest.iso(d.startedAt()), declaredPart), file));
                if (end == null) {
                    return new Parts(files, in.digests());
                }
                if (!end.declared()) {
                    LOG.atWarn().addKeyValue("recording", rec.id()).addKeyValue("part", n + 1)
                            .addKeyValue("index", end.index()).addKeyValue("byte", end.offset())
                            .addKeyValue("format", format.demuxer())
                            .addKeyValue("note", "a new stream where the client sent no part; joined as a part")
                            .log("merge found an undeclared part");
                } else {
                    declaredAt++;
                }
                declaredPart = end.declared();
                firstIndex = end.index();
                firstByte = end.offset();
                in.nextPart();
            }
        } catch (IOException e) {
            throw MergeFailure.from(e);
        }
    }

    /** Pipes {@code in} through FFmpeg into {@code output}; the failure is why the input broke off, if it did. */
    private void ffmpeg(ChunkInputStream in, CodecPlan codecs, Path output, String context, AtomicLong progress,
                        Duration limit) throws InterruptedException {
        try {
            tools.ffmpeg().fromStream(in, format, codecs, output, context, progress::get, limit);
        } catch (MergeFailure f) {
            // FFmpeg fails when its input breaks off; the reason worth reporting is why it broke off.
            throw in.failure() != null ? in.failure() : f;
        }
        if (in.failure() != null) {
            throw in.failure();
        }
    }
}
