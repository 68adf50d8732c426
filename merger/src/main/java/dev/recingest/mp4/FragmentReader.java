package dev.recingest.mp4;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a fragmented MP4 as it is written: first the init segment ({@code ftyp}, {@code moov}), then each
 * {@code moof} with the {@code mdat} after it, as samples. Works on a stream (FFmpeg's standard output, read
 * while FFmpeg runs) as on the bytes of one stored segment. Boxes it does not need ({@code styp}, {@code sidx},
 * FFmpeg's closing {@code mfra}) are skipped. Sample times come from each track fragment's {@code tfdt} plus the
 * durations before it in the run: the decode time a player would give them.
 */
public final class FragmentReader {

    /** The largest box read into memory (a fragment of a few seconds is well below it). */
    static final int MAX_BOX = 64 << 20;

    private final InputStream in;
    private final InitSegment init;
    private long position;

    private FragmentReader(InputStream in, InitSegment init, long position) {
        this.in = in;
        this.init = init;
        this.position = position;
    }

    /** Reads the init segment from the start of {@code in}; the fragments follow with {@link #next()}. */
    public static FragmentReader open(InputStream in) throws IOException {
        ByteCollector head = new ByteCollector();
        long position = 0;
        while (true) {
            byte[] box = readBox(in, true);
            if (box == null) {
                throw new EOFException("the stream ended before its moov");
            }
            position += box.length;
            String type = type(box);
            if (type.equals("ftyp") || type.equals("moov")) {
                head.add(box);
            }
            if (type.equals("moov")) {
                return new FragmentReader(in, InitSegment.parse(head.bytes()), position);
            }
        }
    }

    /** A reader of the fragments of one stored segment, described by {@code init}. */
    public static FragmentReader over(InputStream in, InitSegment init) {
        return new FragmentReader(in, init, 0);
    }

    public InitSegment init() {
        return init;
    }

    /**
     * The samples of the next {@code moof}+{@code mdat}, in their order in the fragment; null at the end of
     * the stream.
     */
    public List<Sample> next() throws IOException {
        while (true) {
            byte[] box = readBox(in, true);
            if (box == null) {
                return null;
            }
            long boxStart = position;
            position += box.length;
            if (!type(box).equals("moof")) {
                continue;
            }
            byte[] mdat = readBox(in, false);
            if (mdat == null || !type(mdat).equals("mdat")) {
                throw new MalformedMp4("a moof without the mdat after it");
            }
            long mdatStart = position;
            position += mdat.length;
            return samples(box, boxStart, mdat, mdatStart);
        }
    }

    /**
     * The samples a stored segment's {@code moof} describes, from the segment's first bytes (its {@code moof}, whole;
     * the {@code mdat} may be cut off): sizes, times and flags, without their bytes ({@link Sample#data()} is null).
     * What a rendition taken over needs to rebuild its sample tables without downloading the media.
     */
    public static List<Sample> describe(byte[] segmentHead, InitSegment init) {
        for (Box b : Box.children(segmentHead, 0, moofEnd(segmentHead))) {
            if (b.type().equals("moof")) {
                return new FragmentReader(null, init, 0).samples(b.copy(segmentHead), b.start(), null, b.end());
            }
        }
        throw new MalformedMp4("no moof at the start of the segment");
    }

    /** Where the {@code moof} of a segment ends, reading only box headers; how much of its start to fetch at least. */
    public static int moofEnd(byte[] head) {
        int at = 0;
        while (at + 8 <= head.length) {
            long size = Box.u32(head, at);
            String type = new String(head, at + 4, 4, StandardCharsets.ISO_8859_1);
            if (size == 1 && at + 16 <= head.length) {
                size = Box.u64(head, at + 8);
            }
            if (size < 8 || size > MAX_BOX) {
                throw new MalformedMp4("box " + type + " of " + size + " bytes");
            }
            if (type.equals("moof")) {
                return (int) (at + size);
            }
            at += (int) size;
        }
        return -1;
    }

    private List<Sample> samples(byte[] moof, long moofStart, byte[] mdat, long mdatStart) {
        List<Sample> out = new ArrayList<>();
        int mdatHeader = mdat == null ? 8 : headerSize(mdat);
        Box root = Box.children(moof, 0, moof.length).get(0);
        long nextBase = moofStart;
        for (Box traf : root.children(moof)) {
            if (!traf.type().equals("traf")) {
                continue;
            }
            Box tfhd = traf.require(moof, "tfhd");
            int flags = Box.u24(moof, tfhd.bodyStart() + 1);
            int track = init.indexOf(Box.u32(moof, tfhd.bodyStart() + 4));
            InitSegment.Track t = init.tracks().get(track);
            int at = tfhd.bodyStart() + 8;
            long base = (flags & 0x20000) != 0 ? moofStart : nextBase;
            if ((flags & 0x1) != 0) {
                base = Box.u64(moof, at);
                at += 8;
            }
            if ((flags & 0x2) != 0) {
                at += 4;
            }
            long defDuration = t.defaultDuration();
            long defSize = t.defaultSize();
            long defFlags = t.defaultFlags();
            if ((flags & 0x8) != 0) {
                defDuration = Box.u32(moof, at);
                at += 4;
            }
            if ((flags & 0x10) != 0) {
                defSize = Box.u32(moof, at);
                at += 4;
            }
            if ((flags & 0x20) != 0) {
                defFlags = Box.u32(moof, at);
            }
            Box tfdt = traf.require(moof, "tfdt");
            long dts = moof[tfdt.bodyStart()] == 1 ? Box.u64(moof, tfdt.bodyStart() + 4) : Box.u32(moof, tfdt.bodyStart() + 4);
            long dataAt = base;
            for (Box trun : traf.children(moof)) {
                if (!trun.type().equals("trun")) {
                    continue;
                }
                int version = moof[trun.bodyStart()];
                int rf = Box.u24(moof, trun.bodyStart() + 1);
                long count = Box.u32(moof, trun.bodyStart() + 4);
                int p = trun.bodyStart() + 8;
                if ((rf & 0x1) != 0) {
                    dataAt = base + Box.s32(moof, p);
                    p += 4;
                }
                long firstFlags = -1;
                if ((rf & 0x4) != 0) {
                    firstFlags = Box.u32(moof, p);
                    p += 4;
                }
                for (long i = 0; i < count; i++) {
                    long duration = defDuration;
                    long size = defSize;
                    long sampleFlags = i == 0 && firstFlags >= 0 ? firstFlags : defFlags;
                    int cto = 0;
                    if ((rf & 0x100) != 0) {
                        duration = Box.u32(moof, p);
                        p += 4;
                    }
                    if ((rf & 0x200) != 0) {
                        size = Box.u32(moof, p);
                        p += 4;
                    }
                    if ((rf & 0x400) != 0) {
                        sampleFlags = Box.u32(moof, p);
                        p += 4;
                    }
                    if ((rf & 0x800) != 0) {
                        cto = version == 0 ? (int) Math.min(Integer.MAX_VALUE, Box.u32(moof, p)) : Box.s32(moof, p);
                        p += 4;
                    }
                    long inMdat = dataAt - mdatStart;
                    if (inMdat < mdatHeader || (mdat != null && inMdat + size > mdat.length)) {
                        throw new MalformedMp4("a sample of track " + t.id() + " lies outside its mdat");
                    }
                    boolean sync = (sampleFlags & 0x10000) == 0;
                    out.add(new Sample(track, dts, duration, cto, sync, mdat, (int) inMdat, (int) size));
                    dts += duration;
                    dataAt += size;
                }
            }
            nextBase = dataAt;
        }
        return out;
    }

    private static String type(byte[] box) {
        return new String(box, 4, 4, StandardCharsets.ISO_8859_1);
    }

    private static int headerSize(byte[] box) {
        return Box.u32(box, 0) == 1 ? 16 : 8;
    }

    /** One whole box (header included), or null when the stream ends before its first byte. */
    private static byte[] readBox(InputStream in, boolean mayEnd) throws IOException {
        byte[] header = new byte[8];
        int n = in.readNBytes(header, 0, 8);
        if (n == 0 && mayEnd) {
            return null;
        }
        if (n < 8) {
            throw new EOFException("the stream ended inside a box header");
        }
        long size = Box.u32(header, 0);
        byte[] large = null;
        if (size == 1) {
            large = in.readNBytes(8);
            if (large.length < 8) {
                throw new EOFException("the stream ended inside a box header");
            }
            size = Box.u64(large, 0);
        } else if (size == 0) {
            throw new MalformedMp4("a box that runs to the end of the stream: " + type(header));
        }
        int headerLength = large == null ? 8 : 16;
        if (size < headerLength || size > MAX_BOX) {
            throw new MalformedMp4("box " + type(header) + " of " + size + " bytes");
        }
        byte[] box = new byte[(int) size];
        System.arraycopy(header, 0, box, 0, 8);
        if (large != null) {
            System.arraycopy(large, 0, box, 8, 8);
        }
        int body = in.readNBytes(box, headerLength, box.length - headerLength);
        if (body < box.length - headerLength) {
            throw new EOFException("the stream ended inside box " + type(header));
        }
        return box;
    }

    /** Concatenates boxes. */
    private static final class ByteCollector {
        private final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();

        void add(byte[] b) {
            out.writeBytes(b);
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }
}
