package dev.recingest.merge;

import dev.recingest.protocol.Mode;
import dev.recingest.state.Recording;
import dev.recingest.storage.ChunkStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * Stateless: one instance serves every worker thread.
 */
final class MergePipeline {

    private static final Logger LOG = LoggerFactory.getLogger(MergePipeline.class);
    /** How much of the stream's start FFprobe reads to learn the codecs (the headers and first frames). */
    static final long PROBE_BYTES = 1 << 20;

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
        Path output = dir.resolve("recording.mp4");
        boolean byteJoin = rec.mode() == Mode.STREAM || isMpegTs(rec.contentType());
        MediaInfo input;
        CodecPlan codecs;
        List<ChunkDigest> digests;
        long joinStarted = System.nanoTime();
        if (byteJoin) {
            ByteJoin joined = pipe(rec, plan, output, progress);
            input = joined.input();
            codecs = joined.codecs();
            digests = joined.digests();
        } else {
            Segments segments = writeSegments(rec, plan, dir.resolve("segments"), progress);
            digests = segments.digests();
            List<MediaInfo> infos = probeAll(segments.files());
            input = infos.get(0);
            codecs = CodecPlan.choose(input, caps);
            LOG.info("merging recordingId={} join=concat segments={} bytes={} format={} codecs=[{}]", rec.id(),
                    segments.files().size(), plan.totalBytes(), input.formatName(), codecs.describe(input));
            Path list = writeConcatList(dir.resolve("segments"), segments.files(), infos);
            join.fromConcatList(list, codecs, output, rec.id().value());
        }
        // One line per phase, so an operator (and the merge benchmark) sees where a slow merge spent its time.
        LOG.info("merge joined recordingId={} outputBytes={} seconds={}", rec.id(), size(output),
                (System.nanoTime() - joinStarted) / 1_000_000 / 1000.0);
        MediaInfo out;
        try {
            out = probe.probe(output);
        } catch (MergeFailure f) {
            throw new MergeFailure(MergeError.FFMPEG_FAILED, "ffmpeg wrote an unreadable output: " + f.getMessage(), f);
        }
        verifyOutput(input, out);
        return new MergeResult(output, size(output), out, digests, codecs.describe(input));
    }

    private record ByteJoin(MediaInfo input, CodecPlan codecs, List<ChunkDigest> digests) {
    }

    /**
     * Probes the stream's first chunks (up to {@link #PROBE_BYTES}: enough for the container header and
     * the first frames even when a client cuts very small chunks, never the whole recording) and pipes
     * every chunk into FFmpeg. The probe reads from the same prefetcher as FFmpeg: its chunks are handed
     * to FFmpeg afterwards rather than downloaded twice, and the window keeps downloading meanwhile.
     */
    private ByteJoin pipe(Recording rec, ChunkPlan plan, Path output, AtomicLong progress) throws InterruptedException {
        ChunkPrefetcher prefetcher = new ChunkPrefetcher(chunks, rec.id(), plan.chunks(), config.prefetch(),
                config.prefetchBytes(), config.chunkTimeout(), issuer);
        try (ChunkInputStream in = new ChunkInputStream(prefetcher, progress)) {
            ChunkInputStream.Prefix head = in.peek(PROBE_BYTES);
            MediaInfo input = probe.probe(new ByteArrayInputStream(head.bytes()), "the first " + head.chunks() + " chunks");
            CodecPlan codecs = CodecPlan.choose(input, caps);
            LOG.info("merging recordingId={} join=bytes chunks={} bytes={} format={} codecs=[{}]", rec.id(),
                    plan.chunks().size(), plan.totalBytes(), input.formatName(), codecs.describe(input));
            try {
                join.fromStream(in, input.matroska(), codecs, output, rec.id().value());
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
        String extension = extension(rec.contentType());
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
            throw new MergeFailure(MergeError.INTERNAL, "cannot write segment files to " + dir + ": " + e, e);
        }
    }

    /**
     * FFprobe of every segment file, {@code prefetch} at a time: one run costs a process start (about
     * 0.2 s through Jaffree here), which adds up over the hundreds of segments of a long recording.
     */
    private List<MediaInfo> probeAll(List<Path> files) throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(config.prefetch(), files.size()), r -> {
            Thread t = new Thread(r, "merge-probe");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<MediaInfo>> futures = new ArrayList<>(files.size());
            for (Path f : files) {
                futures.add(pool.submit(() -> probe.probe(f)));
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

    static boolean isMpegTs(String contentType) {
        String base = baseType(contentType);
        return base.equals("video/mp2t") || base.equals("audio/mp2t") || base.equals("video/mpegts");
    }

    private static String extension(String contentType) {
        return switch (baseType(contentType)) {
            case "video/mp4", "audio/mp4" -> "mp4";
            case "video/webm", "audio/webm" -> "webm";
            case "video/quicktime" -> "mov";
            case "video/x-matroska" -> "mkv";
            default -> "bin";
        };
    }

    /** "video/webm;codecs=vp8,opus" is "video/webm". */
    static String baseType(String contentType) {
        if (contentType == null) {
            return "";
        }
        int semi = contentType.indexOf(';');
        return (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
