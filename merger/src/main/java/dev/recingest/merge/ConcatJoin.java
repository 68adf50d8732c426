package dev.recingest.merge;

import dev.recingest.state.PartStart;
import dev.recingest.state.Recording;
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
 * Joins segments that each carry their own header (MP4, WebM… segments): written to files and joined by the
 * concat demuxer, told each file's duration so no start skew accumulates.
 */
final class ConcatJoin implements JoinStrategy {

    private static final Logger LOG = LoggerFactory.getLogger(ConcatJoin.class);

    private final JoinTools tools;
    private final InputFormat format;

    ConcatJoin(JoinTools tools, InputFormat format) {
        this.tools = tools;
        this.format = format;
    }

    @Override
    public Whole joinWhole(Recording rec, ChunkPlan plan, Path dir, Path output, AtomicLong progress, Duration limit)
            throws InterruptedException {
        Path segDir = dir.resolve("segments");
        Segments segments = writeSegments(rec, plan, segDir, progress);
        List<MediaInfo> infos = probeAll(segments.files());
        MediaInfo input = infos.get(0);
        CodecPlan codecs = CodecPlan.choose(input, tools.caps());
        LOG.atInfo().addKeyValue("recording", rec.id()).addKeyValue("join", "concat")
                .addKeyValue("segments", segments.files().size()).addKeyValue("bytes", plan.totalBytes())
                .addKeyValue("format", input.formatName()).addKeyValue("codecs", codecs.describe(input))
                .addKeyValue("ffmpegLimitMs", limit.toMillis()).log("merging");
        Path list = segmentList(segDir, segments.files(), infos);
        tools.ffmpeg().fromConcatList(list, format, codecs, output, rec.id().value(), limit);
        return new Whole(input, codecs, segments.digests());
    }

    /** Segment files per part, each part joined by the concat demuxer into its own file. */
    @Override
    public Parts joinParts(Recording rec, ChunkPlan plan, List<PartStart> declared, Path dir, AtomicLong progress,
                           Duration limit) throws InterruptedException {
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
            Path list = segmentList(segDir, segments.files(), probeAll(segments.files()));
            Path file = dir.resolve(String.format("part-%04d.mkv", n));
            tools.ffmpeg().fromConcatList(list, format, CodecPlan.remux(), file, rec.id().value() + "-part-" + n, limit);
            WorkSpace.deleteTree(segDir);
            files.add(new PartsJoin.PartFile(new Manifest.Part(n, from, null, to - from, null,
                    Manifest.iso(declared.get(n).startedAt()), true), file));
        }
        return new Parts(files, digests);
    }

    private record Segments(List<Path> files, List<ChunkDigest> digests) {
    }

    /** Writes each segment to its own file (the concat demuxer reads files), in index order. */
    private Segments writeSegments(Recording rec, ChunkPlan plan, Path dir, AtomicLong progress)
            throws InterruptedException {
        String extension = extension(InputFormat.baseType(rec.contentType()));
        List<Path> files = new ArrayList<>(plan.chunks().size());
        try (ChunkPrefetcher prefetcher = tools.prefetch(rec.id(), plan.chunks())) {
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
    private List<MediaInfo> probeAll(List<Path> files) throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(tools.config().prefetch(), files.size()), r -> {
            Thread t = new Thread(r, "merge-probe");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<MediaInfo>> futures = new ArrayList<>(files.size());
            for (Path f : files) {
                futures.add(pool.submit(() -> tools.probe().probe(f, format)));
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

    /**
     * Writes an ffconcat list to {@code list}: every file, each with its duration where known (null: none), so each
     * starts where the previous one ends. The segments' lists here, and the parts' list ({@link PartsJoin}).
     */
    static Path writeConcatList(Path list, List<Path> files, List<Double> durations) {
        StringBuilder sb = new StringBuilder("ffconcat version 1.0\n");
        for (int i = 0; i < files.size(); i++) {
            sb.append("file '").append(files.get(i).getFileName()).append("'\n");
            Double d = durations.get(i);
            if (d != null) {
                sb.append("duration ").append(String.format(Locale.ROOT, "%.6f", d)).append('\n');
            }
        }
        try {
            Files.writeString(list, sb);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return list;
    }

    /** The segments' list, each told its duration (the one FFprobe gives a segment). */
    private static Path segmentList(Path dir, List<Path> files, List<MediaInfo> infos) {
        return writeConcatList(dir.resolve("concat.txt"), files,
                infos.stream().map(i -> i.segmentDuration().orElse(null)).toList());
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
}
