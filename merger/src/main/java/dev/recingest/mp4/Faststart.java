package dev.recingest.mp4;

/**
 * The head of a progressive ("faststart") MP4 whose media data are the segment payloads that
 * {@link SampleTables} describes: {@code ftyp}, a {@code moov} with full sample tables, and the header of the
 * one {@code mdat} that holds the payloads end to end. The file is this head followed by exactly
 * {@link SampleTables#mediaBytes()} bytes of media; no byte of media has to be read to write it.
 *
 * <p>What the {@code moov} takes from the init segment, unchanged: each track's {@code tkhd} fields, {@code hdlr},
 * media header ({@code vmhd}/{@code smhd}), {@code dinf} and {@code stsd} (the codec configuration), and the
 * start of its edit list (the composition delay FFmpeg records for B-frames). What it computes: durations
 * ({@code mvhd}, {@code tkhd}, {@code mdhd}, {@code elst}) and the tables {@code stts}, {@code ctts} (when a track
 * has composition offsets), {@code stss} (when not every sample is a sync sample), {@code stsc}, {@code stsz} and
 * {@code stco}, or {@code co64} once offsets pass 4 GiB.
 */
public final class Faststart {

    private Faststart() {
    }

    /** {@code ftyp}, {@code moov} and the {@code mdat} header for the media {@code tables} describe. */
    public static byte[] head(SampleTables tables) {
        byte[] ftyp = ftyp(tables.init());
        // The moov's size does not depend on the offsets' values, only on their width: write it once to learn
        // where the media start, then again with the offsets.
        boolean wide = tables.mediaBytes() + (64L << 20) > 0xffffffffL;
        int moovLength = moov(tables, 0, wide).length;
        long base = ftyp.length + moovLength + 16L;
        byte[] moov = moov(tables, base, wide);
        BoxWriter w = new BoxWriter(ftyp.length + moov.length + 16);
        w.bytes(ftyp).bytes(moov);
        w.u32(1).ascii("mdat").u64(16 + tables.mediaBytes());
        return w.toByteArray();
    }

    private static byte[] ftyp(InitSegment init) {
        BoxWriter w = new BoxWriter(32);
        w.begin("ftyp").ascii("isom").u32(0x200).ascii("isom").ascii("iso2");
        if (init.tracks().stream().anyMatch(t -> t.codec().equals("avc1") || t.codec().equals("avc3"))) {
            w.ascii("avc1");
        }
        w.ascii("mp41").end();
        return w.toByteArray();
    }

    private static byte[] moov(SampleTables tables, long base, boolean wide) {
        InitSegment init = tables.init();
        byte[] b = init.bytes();
        Box moov = init.moov();
        long movieScale = init.movieTimescale();
        long[] presented = new long[init.tracks().size()];
        long movieDuration = 0;
        for (int t = 0; t < presented.length; t++) {
            presented[t] = Math.round(tables.presentationSeconds(t) * movieScale);
            movieDuration = Math.max(movieDuration, presented[t]);
        }
        BoxWriter w = new BoxWriter(1 << 16);
        w.begin("moov");
        Box mvhd = moov.require(b, "mvhd");
        int mv = b[mvhd.bodyStart()];
        int mvRest = mvhd.bodyStart() + 4 + (mv == 1 ? 28 : 16);
        w.beginFull("mvhd", 1, 0).u64(0).u64(0).u32(movieScale).u64(movieDuration)
                .bytes(b, mvRest, mvhd.end() - mvRest).end();
        for (int t = 0; t < init.tracks().size(); t++) {
            trak(w, tables, t, presented[t], base, wide);
        }
        w.end();
        return w.toByteArray();
    }

    private static void trak(BoxWriter w, SampleTables tables, int t, long presented, long base, boolean wide) {
        InitSegment.Track it = tables.init().tracks().get(t);
        SampleTables.Track tt = tables.track(t);
        byte[] b = tables.init().bytes();
        Box trak = it.trak();
        w.begin("trak");
        Box tkhd = trak.require(b, "tkhd");
        int tv = b[tkhd.bodyStart()];
        int tkFlags = Box.u24(b, tkhd.bodyStart() + 1);
        int tkRest = tkhd.bodyStart() + 4 + (tv == 1 ? 32 : 20);
        w.beginFull("tkhd", 1, tkFlags).u64(0).u64(0).u32(it.id()).u32(0).u64(presented)
                .bytes(b, tkRest, tkhd.end() - tkRest).end();
        long firstDts = Math.max(0, tt.firstDts);
        if (it.editMediaTime() >= 0 || firstDts > 0) {
            long movieScale = tables.init().movieTimescale();
            long emptyEdit = Math.round(firstDts / (double) it.timescale() * movieScale);
            w.begin("edts").beginFull("elst", 1, 0).u32(emptyEdit > 0 ? 2 : 1);
            if (emptyEdit > 0) {
                w.u64(emptyEdit).u64(-1L).u32(0x10000);
            }
            w.u64(presented - emptyEdit).u64(Math.max(0, it.editMediaTime())).u32(0x10000);
            w.end().end();
        }
        Box mdia = trak.require(b, "mdia");
        w.begin("mdia");
        Box mdhd = mdia.require(b, "mdhd");
        int dv = b[mdhd.bodyStart()];
        int mdRest = mdhd.bodyStart() + 4 + (dv == 1 ? 28 : 16);
        long mediaDuration = tt.nextDts - firstDts;
        w.beginFull("mdhd", 1, 0).u64(0).u64(0).u32(it.timescale()).u64(Math.max(0, mediaDuration))
                .bytes(b, mdRest, mdhd.end() - mdRest).end();
        w.bytes(mdia.require(b, "hdlr").copy(b));
        Box minf = mdia.require(b, "minf");
        w.begin("minf");
        for (Box c : minf.children(b)) {
            if (!c.type().equals("stbl")) {
                w.bytes(c.copy(b));
            }
        }
        w.begin("stbl");
        w.bytes(minf.require(b, "stbl").require(b, "stsd").copy(b));
        stts(w, tt);
        if (!tt.ctos.allZero()) {
            ctts(w, tt);
        }
        if (tt.syncSamples.size() < tt.samples) {
            w.beginFull("stss", 0, 0).u32(tt.syncSamples.size());
            for (int i = 0; i < tt.syncSamples.size(); i++) {
                w.u32(tt.syncSamples.get(i));
            }
            w.end();
        }
        stsc(w, tt);
        w.beginFull("stsz", 0, 0).u32(0).u32(tt.samples);
        for (int i = 0; i < tt.sizes.size(); i++) {
            w.u32(tt.sizes.get(i) & 0xffffffffL);
        }
        w.end();
        w.beginFull(wide ? "co64" : "stco", 0, 0).u32(tt.chunkOffsets.size());
        for (int i = 0; i < tt.chunkOffsets.size(); i++) {
            long offset = base + tt.chunkOffsets.get(i);
            if (wide) {
                w.u64(offset);
            } else {
                w.u32(offset);
            }
        }
        w.end();
        w.end().end().end().end();
    }

    private static void stts(BoxWriter w, SampleTables.Track tt) {
        w.beginFull("stts", 0, 0).u32(tt.durations.runs());
        for (int i = 0; i < tt.durations.runs(); i++) {
            w.u32(tt.durations.count(i)).u32(tt.durations.value(i));
        }
        w.end();
    }

    private static void ctts(BoxWriter w, SampleTables.Track tt) {
        boolean negative = false;
        for (int i = 0; i < tt.ctos.runs(); i++) {
            negative |= tt.ctos.value(i) < 0;
        }
        w.beginFull("ctts", negative ? 1 : 0, 0).u32(tt.ctos.runs());
        for (int i = 0; i < tt.ctos.runs(); i++) {
            w.u32(tt.ctos.count(i)).u32(tt.ctos.value(i) & 0xffffffffL);
        }
        w.end();
    }

    /** Chunks of equal sample counts in a row share one {@code stsc} entry. */
    private static void stsc(BoxWriter w, SampleTables.Track tt) {
        int entries = 0;
        for (int i = 0; i < tt.chunkCounts.size(); i++) {
            if (i == 0 || tt.chunkCounts.get(i) != tt.chunkCounts.get(i - 1)) {
                entries++;
            }
        }
        w.beginFull("stsc", 0, 0).u32(entries);
        for (int i = 0; i < tt.chunkCounts.size(); i++) {
            if (i == 0 || tt.chunkCounts.get(i) != tt.chunkCounts.get(i - 1)) {
                w.u32(i + 1).u32(tt.chunkCounts.get(i)).u32(1);
            }
        }
        w.end();
    }
}
