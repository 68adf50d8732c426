package dev.recingest.merge;

import dev.recingest.protocol.Mode;
import dev.recingest.state.PartStart;
import dev.recingest.state.Recording;
import dev.recingest.storage.ChunkStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the chunks of a plan into one MP4 in the work directory, joining them the way that is exact
 * for what they are (DESIGN.md, merger):
 * <ul>
 *   <li>{@code stream} mode: the chunks are byte ranges of one stream; they are piped, in order, as one
 *       byte stream into FFmpeg (only chunk 0 has the container header, so they are not files);</li>
 *   <li>{@code segments} of MPEG-TS: byte-joined the same way: TS is made to be concatenated, while the
 *       concat demuxer over TS drifts;</li>
 *   <li>{@code segments} of anything else (MP4 segments, each with its own header): written to files
 *       and joined by the concat demuxer, told each file's duration so no start skew accumulates.</li>
 * </ul>
 * Every FFmpeg and FFprobe run reads the chunks as the recording's {@link InputFormat}, which also refuses a
 * content type the merger does not read before anything runs. Stateless: one instance serves every worker
 * thread.
 *
 * <p>A recording of several parts (PROTOCOL.md, "part") is joined that way part by part, each into its own
 * Matroska file with its streams copied (one continuous timeline per part), and {@link PartsJoin} joins those.
 * A stream-mode recording declared as one part is merged directly, as before, unless its bytes hold a second
 * container stream ({@link StreamStarts}): then it is merged again as parts, that stream being one. This file
 * is a little over 400 lines: the three joins and the two ways through parts share their pieces here.
 */
final class MergePipeline {

    private static final Logger LOG = LoggerFactory.getLogger(MergePipeline.class);
    /** How much of the stream's start FFprobe reads to learn the codecs (the headers and first frames). */
    static final long PROBE_BYTES = 1 << 20;
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
    private final ChunkStore chunks;
    private final MediaProbe probe;
    private final FfmpegJoin join;
    private final FfmpegCapabilities caps;
    // Issues chunk GETs for every merge of this merger (see ChunkPrefetcher); daemon threads, so the
    // pipeline, shared by the worker threads for the process's life, needs no close.
    private final ExecutorService issuer = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "merge-get");
        t.setDaemon(true);
        return t;
    });

    MergePipeline(MergerConfig config, ChunkStore chunks, MediaProbe probe, FfmpegJoin join, FfmpegCapabilities caps) {
        this.config = config;
        this.chunks = chunks;
        this.probe = probe;
        this.join = join;
        this.caps = caps;
    }

    /**
     * @param dir      an empty directory of this attempt, deleted by the caller
     * @param progress counts bytes as they are handed to FFmpeg (or written as segment files)
     */
    MergeResult merge(Recording rec, ChunkPlan plan, Path dir, AtomicLong progress) throws InterruptedException {
        InputFormat format = InputFormat.of(rec.contentType());
        Duration limit = config.ffmpegLimit(estimatedSeconds(rec, plan.totalBytes()));
        List<PartStart> parts = partsWithChunks(rec, plan);
        if (parts.size() > 1) {
            return mergeParts(rec, plan, parts, format, dir, progress, limit);
        }
        Path output = dir.resolve("recording.mp4");
        MediaInfo input;
        CodecPlan codecs;
        List<ChunkDigest> digests;
        long joinStarted = System.nanoTime();
        if (byteJoined(rec.mode(), format)) {
            ByteJoin joined = pipe(rec, format, plan, output, progress, limit);
            if (joined == null) {
                // A second container stream where no part was declared: merged again, as parts.
                progress.set(0);
                WorkSpace.deleteTree(output);
                return mergeParts(rec, plan, parts, format, dir, progress, limit);
            }
            input = joined.input();
            codecs = joined.codecs();
            digests = joined.digests();
        } else {
            Segments segments = writeSegments(rec, plan, dir.resolve("segments"), progress);
            digests = segments.digests();
            List<MediaInfo> infos = probeAll(segments.files(), format);
            input = infos.get(0);
            codecs = CodecPlan.choose(input, caps);
            LOG.info("merging recordingId={} join=concat segments={} bytes={} format={} codecs=[{}] ffmpegLimit={}",
                    rec.id(), segments.files().size(), plan.totalBytes(), input.formatName(), codecs.describe(input), limit);
            Path list = writeConcatList(dir.resolve("segments"), segments.files(), infos);
            join.fromConcatList(list, format, codecs, output, rec.id().value(), limit);
        }
        // One line per phase, so an operator (and the merge benchmark) sees where a slow merge spent its time.
        LOG.info("merge joined recordingId={} outputBytes={} seconds={}", rec.id(), size(output),
                (System.nanoTime() - joinStarted) / 1_000_000 / 1000.0);
        MediaInfo out = probeOutput(output);
        verifyOutput(input.firstVideo().isPresent(), input.firstAudio().isPresent(), out);
        PartStart only = parts.get(0);
        Manifest.Part part = new Manifest.Part(0, 0, null, plan.chunkCount(), out.durationSeconds(),
                Manifest.iso(only.startedAt()), true);
        return new MergeResult(output, size(output), out, digests, codecs.describe(input), List.of(part));
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

    /**
     * Merges part by part: each part's chunks into its own Matroska file, streams copied (the byte join of a
     * stream, or the concat demuxer over segment files, as for a whole recording), then {@link PartsJoin}.
     */
    private MergeResult mergeParts(Recording rec, ChunkPlan plan, List<PartStart> declared, InputFormat format, Path dir,
                                   AtomicLong progress, Duration limit) throws InterruptedException {
        long joinStarted = System.nanoTime();
        Path partsDir = dir.resolve("parts");
        try {
            Files.createDirectories(partsDir);
        } catch (IOException e) {
            throw new MergeFailure(MergeError.INTERNAL, "cannot create " + partsDir + ": " + e, e);
        }
        PartSpans spans = byteJoined(rec.mode(), format)
                ? pipeParts(rec, plan, declared, format, partsDir, progress, limit)
                : concatParts(rec, plan, declared, format, partsDir, progress, limit);
        Path output = dir.resolve("recording.mp4");
        PartsJoin.Joined joined = new PartsJoin(probe, join, caps).join(spans.files(), partsDir, output,
                rec.id().value(), limit);
        LOG.info("merge joined recordingId={} parts={} undeclaredParts={} outputBytes={} seconds={}", rec.id(),
                joined.parts().size(), joined.parts().stream().filter(p -> !p.declared()).count(), size(output),
                (System.nanoTime() - joinStarted) / 1_000_000 / 1000.0);
        MediaInfo out = probeOutput(output);
        verifyOutput(joined.video(), joined.audio(), out);
        PartsJoin.verifyLength(joined.parts(), out);
        return new MergeResult(output, size(output), out, spans.digests(), joined.codecs(), joined.parts());
    }

    /** The parts' files and the digests of every chunk read for them. */
    private record PartSpans(List<PartsJoin.PartFile> files, List<ChunkDigest> digests) {
    }

    /**
     * One byte stream per part, read from one pass over the chunks: a part ends at the next declared part's
     * first chunk, or (stream mode) where a new container stream begins, which becomes a part of its own.
     */
    private PartSpans pipeParts(Recording rec, ChunkPlan plan, List<PartStart> declared, InputFormat format, Path dir,
                                AtomicLong progress, Duration limit) throws InterruptedException {
        java.util.Set<Long> starts = new java.util.HashSet<>();
        declared.stream().skip(1).forEach(p -> starts.add(p.firstSeq()));
        StreamStarts detector = rec.mode() == Mode.STREAM ? StreamStarts.of(format) : null;
        List<PartsJoin.PartFile> files = new ArrayList<>();
        ChunkPrefetcher prefetcher = new ChunkPrefetcher(chunks, rec.id(), plan.chunks(), config.prefetch(),
                config.prefetchBytes(), config.chunkTimeout(), issuer);
        try (ChunkInputStream in = new ChunkInputStream(prefetcher, progress, plan.chunks(), starts, detector)) {
            long firstIndex = plan.chunks().get(0).index();
            int firstByte = 0;
            boolean declaredPart = true;
            int declaredAt = 0;
            while (true) {
                int n = files.size();
                Path file = dir.resolve(String.format("part-%04d.mkv", n));
                try {
                    join.fromStream(in, format, CodecPlan.remux(), file, rec.id().value() + "-part-" + n, progress::get, limit);
                } catch (MergeFailure f) {
                    throw in.failure() != null ? in.failure() : f;
                }
                if (in.failure() != null) {
                    throw in.failure();
                }
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
                    return new PartSpans(files, in.digests());
                }
                if (!end.declared()) {
                    LOG.warn("merge found an undeclared part recordingId={} part={} chunk={} byte={} note=\"a new {} "
                            + "stream where the client sent no part; joined as a part\"", rec.id(), n + 1, end.index(),
                            end.offset(), format.demuxer());
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

    /** Segment files per part, each part joined by the concat demuxer into its own file. */
    private PartSpans concatParts(Recording rec, ChunkPlan plan, List<PartStart> declared, InputFormat format, Path dir,
                                  AtomicLong progress, Duration limit) throws InterruptedException {
        List<PartsJoin.PartFile> files = new ArrayList<>();
        List<ChunkDigest> digests = new ArrayList<>();
        for (int n = 0; n < declared.size(); n++) {
            long from = declared.get(n).firstSeq();
            long to = n + 1 < declared.size() ? declared.get(n + 1).firstSeq() : plan.chunkCount();
            List<ChunkPlan.ChunkRef> refs = plan.chunks().stream().filter(c -> c.index() >= from && c.index() < to).toList();
            ChunkPlan part = new ChunkPlan(to - from, refs, List.of(), refs.stream().mapToLong(ChunkPlan.ChunkRef::size).sum());
            Path segDir = dir.resolve(String.format("segments-%04d", n));
            Segments segments = writeSegments(rec, part, segDir, progress);
            digests.addAll(segments.digests());
            Path list = writeConcatList(segDir, segments.files(), probeAll(segments.files(), format));
            Path file = dir.resolve(String.format("part-%04d.mkv", n));
            join.fromConcatList(list, format, CodecPlan.remux(), file, rec.id().value() + "-part-" + n, limit);
            WorkSpace.deleteTree(segDir);
            files.add(new PartsJoin.PartFile(new Manifest.Part(n, from, null, to - from, null,
                    Manifest.iso(declared.get(n).startedAt()), true), file));
        }
        return new PartSpans(files, digests);
    }

    private MediaInfo probeOutput(Path output) throws InterruptedException {
        try {
            return probe.probe(output, InputFormat.OUTPUT_MP4);
        } catch (MergeFailure f) {
            throw new MergeFailure(MergeError.FFMPEG_FAILED, "ffmpeg wrote an unreadable output: " + f.getMessage(), f);
        }
    }

    /** Stream mode and MPEG-TS segments are joined as bytes; other segments by the concat demuxer. */
    static boolean byteJoined(Mode mode, InputFormat format) {
        return mode == Mode.STREAM || format.mpegTs();
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
            joined = byteJoined(rec.mode(), InputFormat.of(rec.contentType()));
        } catch (MergeFailure unsupported) {
            joined = true; // refused before anything is written
        }
        int perByte = (joined ? DISK_PER_INPUT_BYTE_JOINED : DISK_PER_INPUT_CONCAT) + (rec.parts().size() > 1 ? 1 : 0);
        return rec.bytes() * perByte + DISK_SLACK;
    }

    private record ByteJoin(MediaInfo input, CodecPlan codecs, List<ChunkDigest> digests) {
    }

    /**
     * Probes the stream's first chunks (up to {@link #PROBE_BYTES}: enough for the container header and
     * the first frames even when a client cuts very small chunks, never the whole recording) and pipes
     * every chunk into FFmpeg. The probe reads from the same prefetcher as FFmpeg: its chunks are handed
     * to FFmpeg afterwards rather than downloaded twice, and the window keeps downloading meanwhile.
     * Returns null, its output to be thrown away, when the bytes hold a second container stream that no
     * part declared (stream mode): the input ended before it.
     */
    private ByteJoin pipe(Recording rec, InputFormat format, ChunkPlan plan, Path output, AtomicLong progress,
                          Duration limit) throws InterruptedException {
        ChunkPrefetcher prefetcher = new ChunkPrefetcher(chunks, rec.id(), plan.chunks(), config.prefetch(),
                config.prefetchBytes(), config.chunkTimeout(), issuer);
        StreamStarts detector = rec.mode() == Mode.STREAM ? StreamStarts.of(format) : null;
        try (ChunkInputStream in = new ChunkInputStream(prefetcher, progress, plan.chunks(), java.util.Set.of(), detector)) {
            ChunkInputStream.Prefix head = in.peek(PROBE_BYTES);
            MediaInfo input = probe.probe(new ByteArrayInputStream(head.bytes()), format,
                    "the first " + head.chunks() + " chunks");
            CodecPlan codecs = CodecPlan.choose(input, caps);
            LOG.info("merging recordingId={} join=bytes chunks={} bytes={} format={} codecs=[{}] ffmpegLimit={}",
                    rec.id(), plan.chunks().size(), plan.totalBytes(), input.formatName(), codecs.describe(input), limit);
            try {
                join.fromStream(in, format, codecs, output, rec.id().value(), progress::get, limit);
            } catch (MergeFailure f) {
                // FFmpeg fails when its input breaks off; the reason worth reporting is why it broke off.
                throw in.failure() != null ? in.failure() : f;
            }
            if (in.failure() != null) {
                throw in.failure();
            }
            if (in.boundary() != null) {
                LOG.warn("merge found a second stream recordingId={} chunk={} byte={} note=\"a new {} stream where the "
                        + "client sent no part; merging again as parts\"", rec.id(), in.boundary().index(),
                        in.boundary().offset(), format.demuxer());
                return null;
            }
            if (!in.complete()) {
                throw new MergeFailure(MergeError.FFMPEG_FAILED, "ffmpeg stopped reading after " + progress.get()
                        + " of " + plan.totalBytes() + " bytes");
            }
            return new ByteJoin(input, codecs, in.digests());
        }
    }

    private record Segments(List<Path> files, List<ChunkDigest> digests) {
    }

    /** Writes each segment to its own file (the concat demuxer reads files), in index order. */
    private Segments writeSegments(Recording rec, ChunkPlan plan, Path dir, AtomicLong progress)
            throws InterruptedException {
        String extension = extension(InputFormat.baseType(rec.contentType()));
        List<Path> files = new ArrayList<>(plan.chunks().size());
        try (ChunkPrefetcher prefetcher = new ChunkPrefetcher(chunks, rec.id(), plan.chunks(), config.prefetch(),
                config.prefetchBytes(), config.chunkTimeout(), issuer)) {
            Files.createDirectories(dir);
            int i = 0;
            byte[] next;
            while ((next = prefetcher.next()) != null) {
                // Names the concat demuxer accepts as safe: relative, only [A-Za-z0-9._-].
                Path file = dir.resolve(String.format("seg-%010d.%s", plan.chunks().get(i++).index(), extension));
                Files.write(file, next);
                progress.addAndGet(next.length);
                files.add(file);
            }
            return new Segments(files, prefetcher.digests());
        } catch (IOException e) {
            MergeError error = isDiskFull(e) ? MergeError.NO_SPACE : MergeError.INTERNAL;
            throw new MergeFailure(error, "cannot write segment files to " + dir + ": " + e, e);
        }
    }

    /**
     * FFprobe of every segment file, {@code prefetch} at a time: one run costs a process start (about
     * 0.2 s through Jaffree here), which adds up over the hundreds of segments of a long recording.
     */
    private List<MediaInfo> probeAll(List<Path> files, InputFormat format) throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(config.prefetch(), files.size()), r -> {
            Thread t = new Thread(r, "merge-probe");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<MediaInfo>> futures = new ArrayList<>(files.size());
            for (Path f : files) {
                futures.add(pool.submit(() -> probe.probe(f, format)));
            }
            List<MediaInfo> infos = new ArrayList<>(files.size());
            for (Future<MediaInfo> f : futures) {
                try {
                    infos.add(f.get());
                } catch (ExecutionException e) {
                    throw MergeFailure.from(e.getCause());
                }
            }
            return infos;
        } finally {
            pool.shutdownNow();
        }
    }

    /** An ffconcat list with every file's duration, so each segment starts where the previous one ends. */
    private static Path writeConcatList(Path dir, List<Path> files, List<MediaInfo> infos) {
        StringBuilder sb = new StringBuilder("ffconcat version 1.0\n");
        for (int i = 0; i < files.size(); i++) {
            sb.append("file '").append(files.get(i).getFileName()).append("'\n");
            infos.get(i).segmentDuration().ifPresent(d -> sb.append("duration ").append(String.format(Locale.ROOT, "%.6f", d)).append('\n'));
        }
        Path list = dir.resolve("concat.txt");
        try {
            Files.writeString(list, sb);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return list;
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

    private static String extension(String baseType) {
        return switch (baseType) {
            case "video/mp4", "audio/mp4" -> "mp4";
            case "video/webm", "audio/webm" -> "webm";
            case "video/quicktime" -> "mov";
            case "video/x-matroska" -> "mkv";
            default -> "bin";
        };
    }

    private static boolean isDiskFull(IOException e) {
        return e.getMessage() != null && e.getMessage().contains("No space left on device");
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
