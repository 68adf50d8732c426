package dev.recingest.merge;

import dev.recingest.protocol.Mode;
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
        Path output = dir.resolve("recording.mp4");
        Duration limit = config.ffmpegLimit(estimatedSeconds(rec, plan.totalBytes()));
        MediaInfo input;
        CodecPlan codecs;
        List<ChunkDigest> digests;
        long joinStarted = System.nanoTime();
        if (byteJoined(rec.mode(), format)) {
            ByteJoin joined = pipe(rec, format, plan, output, progress, limit);
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
        MediaInfo out;
        try {
            out = probe.probe(output, InputFormat.OUTPUT_MP4);
        } catch (MergeFailure f) {
            throw new MergeFailure(MergeError.FFMPEG_FAILED, "ffmpeg wrote an unreadable output: " + f.getMessage(), f);
        }
        verifyOutput(input, out);
        return new MergeResult(output, size(output), out, digests, codecs.describe(input));
    }

    /** Stream mode and MPEG-TS segments are joined as bytes; other segments by the concat demuxer. */
    private static boolean byteJoined(Mode mode, InputFormat format) {
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

    /** The local disk a merge of {@code rec} needs (see {@link #DISK_PER_INPUT_BYTE_JOINED}). */
    static long diskNeeded(Recording rec) {
        boolean joined;
        try {
            joined = byteJoined(rec.mode(), InputFormat.of(rec.contentType()));
        } catch (MergeFailure unsupported) {
            joined = true; // refused before anything is written
        }
        return rec.bytes() * (joined ? DISK_PER_INPUT_BYTE_JOINED : DISK_PER_INPUT_CONCAT) + DISK_SLACK;
    }

    private record ByteJoin(MediaInfo input, CodecPlan codecs, List<ChunkDigest> digests) {
    }

    /**
     * Probes the stream's first chunks (up to {@link #PROBE_BYTES}: enough for the container header and
     * the first frames even when a client cuts very small chunks, never the whole recording) and pipes
     * every chunk into FFmpeg. The probe reads from the same prefetcher as FFmpeg: its chunks are handed
     * to FFmpeg afterwards rather than downloaded twice, and the window keeps downloading meanwhile.
     */
    private ByteJoin pipe(Recording rec, InputFormat format, ChunkPlan plan, Path output, AtomicLong progress,
                          Duration limit) throws InterruptedException {
        ChunkPrefetcher prefetcher = new ChunkPrefetcher(chunks, rec.id(), plan.chunks(), config.prefetch(),
                config.prefetchBytes(), config.chunkTimeout(), issuer);
        try (ChunkInputStream in = new ChunkInputStream(prefetcher, progress)) {
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
    private static void verifyOutput(MediaInfo input, MediaInfo out) {
        if (out.durationSeconds() == null || out.durationSeconds() <= 0) {
            throw new MergeFailure(MergeError.FFMPEG_FAILED, "the output has no duration");
        }
        if (input.firstVideo().isPresent() && out.firstVideo().isEmpty()) {
            throw new MergeFailure(MergeError.FFMPEG_FAILED, "the output lost the video stream");
        }
        if (input.firstAudio().isPresent() && out.firstAudio().isEmpty()) {
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
