package dev.recingest.mp4;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The initialization part of a fragmented MP4 ({@code ftyp} and {@code moov}): what each track is, in the
 * order of the {@code moov}. The bytes are kept as they are: they are the HLS init segment, and the boxes
 * that describe the codecs ({@code stsd}, {@code hdlr}, …) are copied into the progressive MP4's {@code moov}.
 *
 * @param bytes          {@code ftyp} (if any) followed by {@code moov}, exactly as read
 * @param movieTimescale the {@code mvhd} timescale
 * @param tracks         the tracks, in {@code moov} order; {@link Sample#track()} indexes this list
 */
public record InitSegment(byte[] bytes, long movieTimescale, List<Track> tracks) {

    /**
     * One track of the init segment.
     *
     * @param id             {@code tkhd} track_ID, which fragments name
     * @param handler        {@code hdlr} handler type: {@code vide}, {@code soun}, …
     * @param timescale      {@code mdhd} timescale: units of the track's sample times
     * @param editMediaTime  the media time the first {@code elst} entry starts presenting at (the composition
     *                       delay of B-frames), or -1 when the track has no edit list
     * @param codec          the sample entry type ({@code avc1}, {@code hvc1}, {@code mp4a}, {@code Opus}, …)
     * @param defaultDuration {@code trex} default sample duration (used when a fragment gives none)
     * @param defaultSize    {@code trex} default sample size
     * @param defaultFlags   {@code trex} default sample flags
     * @param trak           the whole {@code trak} box
     */
    public record Track(long id, String handler, long timescale, long editMediaTime, String codec,
                        long defaultDuration, long defaultSize, long defaultFlags, Box trak) {

        public boolean video() {
            return "vide".equals(handler);
        }

        public boolean audio() {
            return "soun".equals(handler);
        }
    }

    /** Reads {@code ftyp}+{@code moov} (the first bytes FFmpeg writes for a fragmented MP4). */
    public static InitSegment parse(byte[] b) {
        Box moov = Box.children(b, 0, b.length).stream().filter(x -> x.type().equals("moov")).findFirst()
                .orElseThrow(() -> new MalformedMp4("no moov in the init segment"));
        byte[] mvhd = moov.require(b, "mvhd").copy(b);
        long movieTimescale = Box.u32(mvhd, mvhd[8] == 1 ? 8 + 4 + 16 : 8 + 4 + 8);
        List<Box> trex = moov.child(b, "mvex").map(m -> m.children(b).stream().filter(x -> x.type().equals("trex")).toList())
                .orElse(List.of());
        List<Track> tracks = new ArrayList<>();
        for (Box trak : moov.children(b)) {
            if (!trak.type().equals("trak")) {
                continue;
            }
            Box tkhd = trak.require(b, "tkhd");
            int v = b[tkhd.bodyStart()];
            long id = Box.u32(b, tkhd.bodyStart() + 4 + (v == 1 ? 16 : 8));
            Box mdia = trak.require(b, "mdia");
            Box mdhd = mdia.require(b, "mdhd");
            long timescale = Box.u32(b, mdhd.bodyStart() + 4 + (b[mdhd.bodyStart()] == 1 ? 16 : 8));
            Box hdlr = mdia.require(b, "hdlr");
            String handler = new String(b, hdlr.bodyStart() + 8, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
            Box stsd = trak.path(b, "mdia", "minf", "stbl", "stsd").orElseThrow(() -> new MalformedMp4("track " + id + " has no stsd"));
            String codec = new String(b, stsd.bodyStart() + 8 + 4, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
            long editMediaTime = trak.path(b, "edts", "elst").map(e -> firstMediaTime(b, e)).orElse(-1L);
            long dd = 0;
            long ds = 0;
            long df = 0;
            for (Box t : trex) {
                if (Box.u32(b, t.bodyStart() + 4) == id) {
                    dd = Box.u32(b, t.bodyStart() + 12);
                    ds = Box.u32(b, t.bodyStart() + 16);
                    df = Box.u32(b, t.bodyStart() + 20);
                }
            }
            tracks.add(new Track(id, handler, timescale, editMediaTime, codec, dd, ds, df, trak));
        }
        if (tracks.isEmpty()) {
            throw new MalformedMp4("the init segment has no track");
        }
        return new InitSegment(b, movieTimescale, List.copyOf(tracks));
    }

    /** The media time of the first edit that is not empty (an empty edit has media_time -1). */
    private static long firstMediaTime(byte[] b, Box elst) {
        int v = b[elst.bodyStart()];
        long n = Box.u32(b, elst.bodyStart() + 4);
        int at = elst.bodyStart() + 8;
        for (long i = 0; i < n; i++) {
            long mediaTime = v == 1 ? Box.u64(b, at + 8) : Box.s32(b, at + 4);
            if (mediaTime >= 0) {
                return mediaTime;
            }
            at += v == 1 ? 20 : 12;
        }
        return -1;
    }

    /** The index of the track with {@code tkhd} track_ID {@code id}. */
    public int indexOf(long id) {
        for (int i = 0; i < tracks.size(); i++) {
            if (tracks.get(i).id() == id) {
                return i;
            }
        }
        throw new MalformedMp4("a fragment names track " + id + ", which the init segment does not have");
    }

    /** The track segments are cut on: the first video track, else the first track. */
    public int leadTrack() {
        for (int i = 0; i < tracks.size(); i++) {
            if (tracks.get(i).video()) {
                return i;
            }
        }
        return 0;
    }

    public Optional<Track> firstVideo() {
        return tracks.stream().filter(Track::video).findFirst();
    }

    /** The moov box of {@link #bytes}. */
    Box moov() {
        return Box.children(bytes, 0, bytes.length).stream().filter(x -> x.type().equals("moov")).findFirst().orElseThrow();
    }
}
