package dev.recingest.merge;

/**
 * Finds where a new container stream starts inside a stream-mode recording's bytes: a second WebM/Matroska
 * EBML header, or a second MP4 {@code ftyp} box. That is what a client that knows nothing of parts sends when
 * its page reloads and a new MediaRecorder starts (PROTOCOL.md, "part"), and what FFmpeg reads wrongly: its
 * Matroska demuxer skips the second header and muxes the second stream's packets onto the first's timestamps
 * (two 10 s streams became a 10.07 s MP4), its MP4 demuxer ignores the second {@code moov}. The merge treats
 * such a start as a part boundary that was not declared.
 *
 * <p>MPEG-TS and Ogg need nothing here: TS is made to be concatenated and FFmpeg follows a TS whose timestamps
 * start over (two runs from 0 joined into 24.03 s of 4 s + 20 s), and it reads chained Ogg streams whole (two
 * 10 s Opus streams: 20.0 s), measured with FFmpeg 5.1.
 *
 * <p>A match is more than a magic number: an EBML header must declare the DocType {@code webm} or
 * {@code matroska} within its first bytes, an {@code ftyp} box must have a plausible size, a printable brand,
 * and be followed by a {@code moov} (or {@code free}) box. Random media bytes pass that with a probability far
 * below one in 2<sup>64</sup> per position.
 */
abstract class StreamStarts {

    /** The bytes around a candidate: {@link #at} may look past the current chunk, into the chunks after it. */
    interface Bytes {
        /** The byte at {@code position} (relative to the current chunk's start), or -1 past the end of the stream. */
        int at(long position) throws InterruptedException;
    }

    /** The detector for a format, or null where none is needed (see the class comment). */
    static StreamStarts of(InputFormat format) {
        return switch (format.demuxer()) {
            case "matroska" -> new Ebml();
            case "mov" -> new Ftyp();
            default -> null;
        };
    }

    /**
     * The first position in {@code chunk}, at or after {@code from}, where a new stream starts; -1 if none.
     * {@code around} reads {@code chunk} and what follows it.
     */
    final int find(byte[] chunk, int from, Bytes around) throws InterruptedException {
        for (int i = Math.max(0, from); i < chunk.length; i++) {
            if (candidate(chunk, i) && confirmed(i, around)) {
                return i;
            }
        }
        return -1;
    }

    /** A cheap test on the chunk's own bytes: the first byte of the signature. */
    abstract boolean candidate(byte[] chunk, int i);

    /** The full test, reading what it needs through {@code b}. */
    abstract boolean confirmed(long i, Bytes b) throws InterruptedException;

    static boolean matches(Bytes b, long at, int... expected) throws InterruptedException {
        for (int k = 0; k < expected.length; k++) {
            if (b.at(at + k) != expected[k]) {
                return false;
            }
        }
        return true;
    }

    /** EBML header: 1A 45 DF A3, a size, then (within it) DocType 42 82 naming webm or matroska. */
    static final class Ebml extends StreamStarts {
        private static final int[] WEBM = {0x42, 0x82, 0x84, 'w', 'e', 'b', 'm'};
        private static final int[] MATROSKA = {0x42, 0x82, 0x88, 'm', 'a', 't', 'r', 'o', 's', 'k', 'a'};
        /** FFmpeg and browsers write the DocType within the header's first 40 bytes. */
        private static final int SEARCH = 64;

        @Override
        boolean candidate(byte[] chunk, int i) {
            return chunk[i] == 0x1A;
        }

        @Override
        boolean confirmed(long i, Bytes b) throws InterruptedException {
            if (!matches(b, i, 0x1A, 0x45, 0xDF, 0xA3)) {
                return false;
            }
            for (long j = i + 5; j < i + SEARCH; j++) {
                int first = b.at(j);
                if (first < 0) {
                    return false;
                }
                if (first == 0x42 && (matches(b, j, WEBM) || matches(b, j, MATROSKA))) {
                    return true;
                }
            }
            return false;
        }
    }

    /** MP4: a 32-bit box size, "ftyp", a printable major brand, then a moov or free box. */
    static final class Ftyp extends StreamStarts {

        @Override
        boolean candidate(byte[] chunk, int i) {
            // The size's high byte: an ftyp box is far smaller than 16 MiB.
            return chunk[i] == 0;
        }

        @Override
        boolean confirmed(long i, Bytes b) throws InterruptedException {
            if (!matches(b, i + 4, 'f', 't', 'y', 'p')) {
                return false;
            }
            long size = ((long) b.at(i) << 24) | ((long) b.at(i + 1) << 16) | ((long) b.at(i + 2) << 8) | b.at(i + 3);
            if (size < 16 || size > 1024 || size % 4 != 0) {
                return false;
            }
            for (int k = 8; k < 12; k++) {
                int c = b.at(i + k);
                if (c < 0x20 || c > 0x7E) {
                    return false;
                }
            }
            long next = i + size + 4;
            return matches(b, next, 'm', 'o', 'o', 'v') || matches(b, next, 'f', 'r', 'e', 'e');
        }
    }
}
