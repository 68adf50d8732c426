package dev.recingest.merge;

import dev.recingest.protocol.RecordingId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The merger's local disk ({@code RECINGEST_MERGE_WORK_DIR}): one folder per merger process, holding one
 * folder per merge attempt, and the free space merges may use.
 *
 * <p>Leftovers: a merger killed with kill -9 (or by the OOM killer) cannot delete its attempts' files. Its
 * folder holds a {@code .lock} file that the process keeps locked for its life; the operating system
 * releases the lock when the process dies, however it dies. So a folder whose lock can be taken belongs to
 * a merger that is gone, and {@link #sweep} deletes it: at startup and then periodically, from any merger
 * on the same work directory. Only names this class makes are touched (the work directory may be shared,
 * even be /tmp): {@code merger-*} folders with a {@code .lock}, and attempt folders of the layout before
 * process folders ({@code {id}-{attempt}-{uuid}}).
 *
 * <p>Room: a merge needs local disk for its output (and, for MP4 segments, the segment files). Before an
 * attempt starts, {@link #reserve} checks the need against what is free now, minus what the merges already
 * running in this process have reserved and {@code minFree} (kept for everything else on the disk).
 */
public final class WorkSpace implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WorkSpace.class);
    private static final String PREFIX = "merger-";
    private static final String LOCK = ".lock";
    private static final Pattern LEGACY_ATTEMPT = Pattern.compile(
            "^[A-Za-z0-9_-]{1,128}-[0-9]+-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");

    /** Whether a merge fits on the disk: now, only once other merges are done, or never (the disk is too small). */
    enum Fit { NOW, LATER, NEVER }

    /** The answer of {@link #reserve}; closing it returns the reserved bytes (a no-op unless {@link Fit#NOW}). */
    final class Reservation implements AutoCloseable {
        private final Fit fit;
        private final long bytes;
        private final long free;
        private boolean released;

        private Reservation(Fit fit, long bytes, long free) {
            this.fit = fit;
            this.bytes = bytes;
            this.free = free;
        }

        Fit fit() {
            return fit;
        }

        /** What {@link #reserve} was asked for, and what was free (beyond {@code minFree} and other merges) then. */
        String describe() {
            return "needs about " + mib(bytes) + " MiB of local disk in RECINGEST_MERGE_WORK_DIR (" + root + "), "
                    + "which has " + mib(Math.max(0, free)) + " MiB free for merges"
                    + (fit == Fit.NEVER ? " even when idle (" + mib(total()) + " MiB in all, "
                    + mib(minFree) + " MiB kept free by RECINGEST_MERGE_MIN_FREE_DISK)" : " now");
        }

        @Override
        public void close() {
            synchronized (WorkSpace.this) {
                if (fit == Fit.NOW && !released) {
                    released = true;
                    reserved -= bytes;
                }
            }
        }
    }

    private final Path root;
    private final Path own;
    private final long minFree;
    private final FileStore disk;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private long reserved;

    private WorkSpace(Path root, Path own, long minFree, FileStore disk, FileChannel lockChannel, FileLock lock) {
        this.root = root;
        this.own = own;
        this.minFree = minFree;
        this.disk = disk;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /** Makes this process's folder under {@code root} (locked for the process's life), after a {@link #sweep}. */
    static WorkSpace open(Path root, long minFree) {
        try {
            Files.createDirectories(root);
            sweep(root);
            Path own = root.resolve(PREFIX + ProcessHandle.current().pid() + "-"
                    + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()));
            Files.createDirectories(own);
            FileChannel channel = FileChannel.open(own.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) {
                channel.close();
                throw new IllegalStateException("cannot lock the new work folder " + own);
            }
            return new WorkSpace(root, own, minFree, Files.getFileStore(root), channel, lock);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot set up the merge work directory " + root, e);
        }
    }

    /** A new, empty folder for one merge attempt; the caller deletes it when the attempt ends. */
    public Path attemptFolder(RecordingId id, long attempt) throws IOException {
        return Files.createDirectories(own.resolve(id.value() + "-" + attempt + "-" + UUID.randomUUID()));
    }

    /** Reserves {@code bytes} of disk for a merge if they fit now; see {@link Fit}. */
    synchronized Reservation reserve(long bytes) {
        long free = usable() - minFree - reserved;
        if (bytes > total() - minFree) {
            return new Reservation(Fit.NEVER, bytes, free);
        }
        if (bytes > free) {
            return new Reservation(Fit.LATER, bytes, free);
        }
        reserved += bytes;
        return new Reservation(Fit.NOW, bytes, free);
    }

    /** Bytes free on the work directory's disk now. */
    long usable() {
        try {
            return disk.getUsableSpace();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private long total() {
        try {
            return disk.getTotalSpace();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes the folders of mergers that are gone (see the class comment); never throws. */
    static void sweep(Path root) {
        try (Stream<Path> entries = Files.list(root)) {
            entries.filter(Files::isDirectory).forEach(WorkSpace::removeIfAbandoned);
        } catch (IOException | UncheckedIOException e) {
            LOG.atWarn().addKeyValue("dir", root).addKeyValue("reason", e.toString()).log("work directory not swept");
        }
    }

    void sweep() {
        sweep(root);
    }

    private static void removeIfAbandoned(Path dir) {
        String name = dir.getFileName().toString();
        if (LEGACY_ATTEMPT.matcher(name).matches()) {
            remove(dir, "attempt folder of an earlier version");
            return;
        }
        Path lockFile = dir.resolve(LOCK);
        if (!name.startsWith(PREFIX) || !Files.exists(lockFile)) {
            return;
        }
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
            FileLock held = channel.tryLock();
            if (held == null) {
                return; // another merger process holds it: alive
            }
            try {
                remove(dir, "folder of a merger that is gone");
            } finally {
                held.release();
            }
        } catch (OverlappingFileLockException e) {
            // Held by another merger in this very JVM (tests, or two workers in one process): alive.
        } catch (java.nio.file.NoSuchFileException e) {
            // Another merger's sweep removed it just now.
        } catch (IOException e) {
            LOG.atWarn().addKeyValue("dir", dir).addKeyValue("reason", e.toString()).log("work folder not checked");
        }
    }

    private static void remove(Path dir, String what) {
        long bytes = deleteTree(dir);
        LOG.atInfo().addKeyValue("dir", dir).addKeyValue("reason", what).addKeyValue("bytes", bytes)
                .log("work folder removed");
    }

    /** Deletes a folder and everything in it; returns the bytes freed. */
    public static long deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return 0;
        }
        long[] bytes = {0};
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    if (Files.isRegularFile(p)) {
                        bytes[0] += Files.size(p);
                    }
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            LOG.atWarn().addKeyValue("dir", dir).addKeyValue("reason", e.toString()).log("work folder not deleted");
        }
        return bytes[0];
    }

    private static long mib(long bytes) {
        return bytes >> 20;
    }

    /** Deletes this process's folder and releases its lock (a merger stopping cleanly). */
    @Override
    public void close() {
        try {
            lock.release();
            lockChannel.close();
        } catch (IOException e) {
            LOG.atDebug().addKeyValue("dir", own).addKeyValue("reason", e.toString()).log("work folder lock not released");
        }
        deleteTree(own);
    }
}
