package dev.recingest.mp4;

import java.util.List;

/**
 * The sample tables of a progressive MP4 whose media data are the payloads of a rendition's segments, laid end
 * to end in order ({@link CmafWriter} writes each payload track after track): per track, every sample's size,
 * duration, composition offset and whether it is a sync sample, and one "chunk" per segment and track (where
 * that run of samples starts in the media data). Kept while a recording goes on, a few bytes per sample, so that
 * the MP4's {@code moov} can be written at the end without reading the media again ({@link Faststart}).
 */
public final class SampleTables {

    /** One track's tables. */
    static final class Track {
        final Ints sizes = new Ints();
        final Runs durations = new Runs();
        final Runs ctos = new Runs();
        final Ints syncSamples = new Ints();
        final LongList chunkOffsets = new LongList();
        final Ints chunkCounts = new Ints();
        long samples;
        long firstDts = -1;
        long nextDts;
        long presentationEnd;
        long bytes;
    }

    private final InitSegment init;
    private final Track[] tracks;
    private long mediaBytes;
    private long segments;

    public SampleTables(InitSegment init) {
        this.init = init;
        this.tracks = new Track[init.tracks().size()];
        for (int i = 0; i < tracks.length; i++) {
            tracks[i] = new Track();
        }
    }

    public InitSegment init() {
        return init;
    }

    /**
     * Appends a segment, whose payload follows the ones added before in the media data. Each track's samples must
     * continue where its last sample ended (a sample's duration reaches the next one's decode time).
     */
    public void add(MediaSegment segment) {
        if (segment.tracks().size() != tracks.length) {
            throw new IllegalArgumentException("a segment with " + segment.tracks().size() + " tracks, not " + tracks.length);
        }
        for (int t = 0; t < tracks.length; t++) {
            List<Sample> run = segment.tracks().get(t);
            if (run.isEmpty()) {
                continue;
            }
            Track tt = tracks[t];
            if (tt.firstDts < 0) {
                tt.firstDts = run.get(0).dts();
                tt.nextDts = tt.firstDts;
            } else if (run.get(0).dts() != tt.nextDts) {
                throw new IllegalArgumentException("track " + init.tracks().get(t).id() + " continues at " + run.get(0).dts()
                        + ", not where it ended (" + tt.nextDts + ")");
            }
            tt.chunkOffsets.add(mediaBytes);
            tt.chunkCounts.add(run.size());
            for (Sample s : run) {
                tt.samples++;
                tt.sizes.add(s.length());
                tt.durations.add(s.duration());
                tt.ctos.add(s.cto());
                if (s.sync()) {
                    tt.syncSamples.add((int) tt.samples);
                }
                tt.presentationEnd = Math.max(tt.presentationEnd, s.dts() + s.cto() + s.duration());
                tt.nextDts = s.dts() + s.duration();
                tt.bytes += s.length();
                mediaBytes += s.length();
            }
        }
        segments++;
    }

    /** Bytes of media data so far: where the next segment's payload starts. */
    public long mediaBytes() {
        return mediaBytes;
    }

    public long segments() {
        return segments;
    }

    /** Samples of track {@code t} so far (for a video track: its frames). */
    public long samples(int t) {
        return tracks[t].samples;
    }

    /** Where track {@code t}'s next sample must start (its timescale). */
    public long nextDts(int t) {
        return tracks[t].nextDts;
    }

    Track track(int t) {
        return tracks[t];
    }

    /** How long track {@code t} presents, in seconds (after its edit list's start). */
    public double presentationSeconds(int t) {
        Track tt = tracks[t];
        InitSegment.Track it = init.tracks().get(t);
        long start = Math.max(0, it.editMediaTime());
        return Math.max(0, tt.presentationEnd - start - Math.max(0, tt.firstDts)) / (double) it.timescale()
                + Math.max(0, tt.firstDts) / (double) it.timescale();
    }

    /** A growable array of longs. */
    static final class LongList {
        private long[] a = new long[64];
        private int n;

        void add(long v) {
            if (n == a.length) {
                a = java.util.Arrays.copyOf(a, n * 2);
            }
            a[n++] = v;
        }

        long get(int i) {
            return a[i];
        }

        int size() {
            return n;
        }
    }
}
