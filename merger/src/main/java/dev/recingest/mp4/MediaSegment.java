package dev.recingest.mp4;

import java.util.List;

/**
 * The samples of one HLS segment, per track (indexed like {@link InitSegment#tracks()}), starting with a sync
 * sample of the lead track when it has one.
 *
 * @param sequence        the segment's number in the rendition (0, 1, …), also its {@code mfhd} sequence number
 * @param tracks          each track's samples in decode order; a track may have none in a segment
 * @param startSeconds    decode time of the segment's first lead-track sample
 * @param durationSeconds how long it plays (its {@code #EXTINF})
 */
public record MediaSegment(long sequence, List<List<Sample>> tracks, double startSeconds, double durationSeconds) {

    public MediaSegment {
        tracks = tracks.stream().map(List::copyOf).toList();
    }

    /** Bytes of media data (the samples' bytes, all tracks). */
    public long payloadBytes() {
        long n = 0;
        for (List<Sample> t : tracks) {
            for (Sample s : t) {
                n += s.length();
            }
        }
        return n;
    }

    /** Where each track's samples end, in its timescale: the decode time after its last sample, or -1 for none. */
    public long endDts(int track) {
        List<Sample> t = tracks.get(track);
        if (t.isEmpty()) {
            return -1;
        }
        Sample last = t.get(t.size() - 1);
        return last.dts() + last.duration();
    }
}
