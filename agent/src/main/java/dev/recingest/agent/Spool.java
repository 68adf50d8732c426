package dev.recingest.agent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * One recording's spool folder, the agent's durable record of what it has not delivered yet. A segment
 * FFmpeg finished is <em>adopted</em>: synced to disk and renamed (atomically) to
 * {@code seq-<seq>.<ext>}, which fixes its seq for good; the file is deleted only when the gateway acked
 * that seq. So after a crash every {@code seq-} file is either acked already (and is acked again when
 * resent, never stored twice) or not yet delivered, and a restarted agent resends them all in seq order
 * and numbers new segments after the highest one. FFmpeg's own files live under {@code runs/<n>/} until
 * adopted. A {@code part-<seq>} mark says that a new part starts at that seq (PROTOCOL.md, "part"); it
 * goes when the gateway has stored that seq.
 *
 * <p>Not thread-safe except for {@link #delete} and {@link #bytes}, which the uploader's ack callbacks call.
 */
public final class Spool {

    /** A segment with its seq, waiting for its ack. */
    public record Segment(long seq, Path file, long size) {
    }

    private static final String SEQ_PREFIX = "seq-";
    private static final String PLAN = "plan";
    private static final String PART_PREFIX = "part-";

    private final Path dir;
    private final Path runs;
    private final long maxBytes;
    private final AtomicLong bytes = new AtomicLong();

    private Spool(Path dir, long maxBytes) {
        this.dir = dir;
        this.runs = dir.resolve("runs");
        this.maxBytes = maxBytes;
    }

    /** Opens (creating it if needed) the spool of {@code recordingId} under {@code root}. */
    public static Spool open(Path root, String recordingId, long maxBytes) throws IOException {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("the spool size limit must be positive");
        }
        Spool s = new Spool(root.resolve(recordingId), maxBytes);
        Files.createDirectories(s.runs);
        for (Segment seg : s.pending()) {
            s.bytes.addAndGet(seg.size());
        }
        return s;
    }

    public Path dir() {
        return dir;
    }

    /** Adopted segments not acked yet, in seq order. */
    public List<Segment> pending() throws IOException {
        List<Segment> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, SEQ_PREFIX + "*")) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                int dot = name.indexOf('.');
                if (dot < 0) {
                    continue;
                }
                out.add(new Segment(Long.parseLong(name.substring(SEQ_PREFIX.length(), dot)), p, Files.size(p)));
            }
        }
        out.sort(Comparator.comparingLong(Segment::seq));
        return out;
    }

    /** The highest seq in the spool, or -1. */
    public long maxSeq() throws IOException {
        List<Segment> p = pending();
        return p.isEmpty() ? -1 : p.get(p.size() - 1).seq();
    }

    /**
     * Makes {@code segment} (a finished file under {@code runs/}) the chunk with {@code seq}: its bytes are
     * forced to disk before the rename, and the rename before this returns, so a crash leaves either the
     * run's file or the seq file, complete.
     */
    public Segment adopt(Path segment, long seq, String extension) throws IOException {
        force(segment);
        Path target = dir.resolve(String.format("%s%010d.%s", SEQ_PREFIX, seq, extension));
        Files.move(segment, target, StandardCopyOption.ATOMIC_MOVE);
        forceDirectory(dir);
        long size = Files.size(target);
        bytes.addAndGet(size);
        return new Segment(seq, target, size);
    }

    /** The gateway acked it: the spool lets it go. */
    public void delete(Segment s) {
        try {
            if (Files.deleteIfExists(s.file())) {
                bytes.addAndGet(-s.size());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete acked segment " + s.file(), e);
        }
    }

    /** The bytes of a seq still in the spool (for a resend the gateway asks for after a stop), or null. */
    public byte[] read(long seq, String extension) {
        Path p = dir.resolve(String.format("%s%010d.%s", SEQ_PREFIX, seq, extension));
        try {
            return Files.exists(p) ? Files.readAllBytes(p) : null;
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Records, durably and before {@code seq} is adopted, that a new part starts at {@code seq}, so that
     * a restarted agent still asks for that part before resending it.
     */
    public void markPartStart(long seq) throws IOException {
        Files.writeString(dir.resolve(String.format("%s%010d", PART_PREFIX, seq)), "");
        forceDirectory(dir);
    }

    /** True if a part starts at {@code seq} and the gateway has not confirmed it by storing {@code seq}. */
    public boolean isPartStart(long seq) {
        return Files.exists(dir.resolve(String.format("%s%010d", PART_PREFIX, seq)));
    }

    /** The part starting at {@code seq} is established (the gateway stored {@code seq}): forget the mark. */
    public void clearPartStart(long seq) {
        try {
            Files.deleteIfExists(dir.resolve(String.format("%s%010d", PART_PREFIX, seq)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Part marks below {@code nextSeq} belong to parts the gateway already has: forgets them. */
    public void clearPartStartsBelow(long nextSeq) throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, PART_PREFIX + "*")) {
            for (Path p : ds) {
                if (Long.parseLong(p.getFileName().toString().substring(PART_PREFIX.length())) < nextSeq) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** Bytes of adopted segments not acked yet. */
    public long bytes() {
        return bytes.get();
    }

    public boolean overLimit() {
        return bytes.get() > maxBytes;
    }

    public long maxBytes() {
        return maxBytes;
    }

    /** A new, empty folder for the next FFmpeg run, numbered after every earlier one. */
    public Path newRunDir() throws IOException {
        long next = runDirs().stream().mapToLong(Spool::runNumber).max().orElse(0) + 1;
        return Files.createDirectories(runs.resolve(String.format("%06d", next)));
    }

    /** Run folders left behind (by a crash), oldest first. */
    public List<Path> runDirs() throws IOException {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(runs)) {
            ds.forEach(out::add);
        }
        out.sort(Comparator.comparingLong(Spool::runNumber));
        return out;
    }

    public void deleteRunDir(Path run) throws IOException {
        try (Stream<Path> walk = Files.walk(run)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** The plan chosen for this recording by an earlier run, if any. */
    public Optional<SegmentPlan> plan() throws IOException {
        Path p = dir.resolve(PLAN);
        return Files.exists(p) ? Optional.of(SegmentPlan.decode(Files.readString(p))) : Optional.empty();
    }

    public void savePlan(SegmentPlan plan) throws IOException {
        plan.save(dir.resolve(PLAN));
    }

    /** Removes the folder once the recording is stopped and nothing is left in it. */
    public void deleteIfDone() throws IOException {
        if (pending().isEmpty() && runDirs().isEmpty()) {
            Files.deleteIfExists(dir.resolve(PLAN));
            Files.deleteIfExists(runs);
            Files.deleteIfExists(dir);
        }
    }

    private static long runNumber(Path run) {
        try {
            return Long.parseLong(run.getFileName().toString());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    static void force(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    static void forceDirectory(Path dir) {
        // Linux lets a directory be opened and synced, which makes a rename in it durable; elsewhere the
        // open fails and the rename is only as durable as the file system makes it by itself.
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // best effort, see above
        }
    }
}
