package dev.recingest.app;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.stream.Stream;

/** A recording's chunks read from local files one at a time (an hour of them does not fit a test's heap). */
final class Chunks implements Iterable<byte[]> {

    private final List<Path> files;
    private final Path media;
    private final long chunkBytes;
    private final Path owned;

    private Chunks(List<Path> files, Path media, long chunkBytes, Path owned) {
        this.files = files;
        this.media = media;
        this.chunkBytes = chunkBytes;
        this.owned = owned;
    }

    /** Stream mode: {@code media} cut into {@code count} byte ranges of one size (the last shorter). */
    static Chunks byteRanges(Path media, int count) throws IOException {
        return new Chunks(null, media, (Files.size(media) + count - 1) / count, null);
    }

    /** Segments mode: every file of {@code folder}, by name; the folder goes with {@link #delete}. */
    static Chunks segments(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return new Chunks(s.sorted().toList(), null, 0, folder);
        }
    }

    void delete() throws IOException {
        if (owned != null) {
            try (Stream<Path> s = Files.list(owned)) {
                for (Path p : s.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(owned);
        }
    }

    @Override
    public Iterator<byte[]> iterator() {
        if (files != null) {
            Iterator<Path> it = files.iterator();
            return new Iterator<>() {
                public boolean hasNext() {
                    return it.hasNext();
                }

                public byte[] next() {
                    try {
                        return Files.readAllBytes(it.next());
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            };
        }
        return new Iterator<>() {
            long off;
            final long size = sizeOf(media);

            public boolean hasNext() {
                return off < size;
            }

            public byte[] next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                byte[] b = new byte[(int) Math.min(chunkBytes, size - off)];
                try (RandomAccessFile f = new RandomAccessFile(media.toFile(), "r")) {
                    f.seek(off);
                    f.readFully(b);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                off += b.length;
                return b;
            }
        };
    }

    private static long sizeOf(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
