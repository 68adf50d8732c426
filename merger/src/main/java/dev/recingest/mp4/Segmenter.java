package dev.recingest.mp4;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Cuts a stream of samples into segments of about {@code targetSeconds}: a segment ends just before the first
 * sync sample of the lead track (video, else the first track) that comes at least {@code targetSeconds} after
 * the segment's start, so every segment starts with a key frame. The other tracks' samples go to the segment
 * their decode time falls in. A segment is handed out once it is complete: its cut point is known, every other
 * track has a sample at or past it (or lags more than two targets behind, so as not to hold the rendition up
 * for a track that stopped), and every sample in it has its true duration, which is the decode time of the
 * track's next sample (FFmpeg's fragments may only guess the duration of their last sample).
 */
public final class Segmenter {

    private final InitSegment init;
    private final int lead;
    private final long leadScale;
    private final long targetUnits;
    private final List<Deque<Sample>> pending = new ArrayList<>();
    private final long[] lastSeen;
    private final Deque<Long> cuts = new ArrayDeque<>();
    private long lastBoundary = -1;
    private long sequence;

    /** @param firstSequence the number of the first segment this one hands out */
    public Segmenter(InitSegment init, double targetSeconds, long firstSequence) {
        this.init = init;
        this.lead = init.leadTrack();
        this.leadScale = init.tracks().get(lead).timescale();
        this.targetUnits = Math.max(1, Math.round(targetSeconds * leadScale));
        this.sequence = firstSequence;
        this.lastSeen = new long[init.tracks().size()];
        java.util.Arrays.fill(lastSeen, Long.MIN_VALUE);
        for (int i = 0; i < init.tracks().size(); i++) {
            pending.add(new ArrayDeque<>());
        }
    }

    /** Takes the next samples (in stream order); returns the segments they completed, in order. */
    public List<MediaSegment> add(List<Sample> samples) {
        for (Sample s : samples) {
            Deque<Sample> q = pending.get(s.track());
            Sample before = q.pollLast();
            if (before != null) {
                q.addLast(before.withDuration(Math.max(0, s.dts() - before.dts())));
            }
            if (s.track() == lead) {
                if (lastBoundary < 0) {
                    lastBoundary = s.dts();
                } else if (s.sync() && s.dts() - lastBoundary >= targetUnits) {
                    cuts.addLast(s.dts());
                    lastBoundary = s.dts();
                }
            }
            lastSeen[s.track()] = Math.max(lastSeen[s.track()], s.dts());
            q.addLast(s);
        }
        List<MediaSegment> out = new ArrayList<>();
        while (!cuts.isEmpty() && complete(cuts.peekFirst())) {
            out.add(cut(cuts.pollFirst()));
        }
        return out;
    }

    /** The stream ended: everything left, as the last segments (their last samples keep the durations given). */
    public List<MediaSegment> finish() {
        List<MediaSegment> out = new ArrayList<>();
        while (!cuts.isEmpty()) {
            out.add(cut(cuts.pollFirst()));
        }
        if (pending.stream().anyMatch(q -> !q.isEmpty())) {
            out.add(cut(Long.MAX_VALUE));
        }
        return out;
    }

    /** The number the next segment will have. */
    public long nextSequence() {
        return sequence;
    }

    private boolean complete(long cutDts) {
        for (int t = 0; t < pending.size(); t++) {
            if (t == lead) {
                continue;
            }
            boolean caughtUp = lastSeen[t] != Long.MIN_VALUE && before(cutDts, t, lastSeen[t]) <= 0;
            boolean lagging = lastSeen[lead] - cutDts >= 2 * targetUnits;
            if (!caughtUp && !lagging) {
                return false;
            }
        }
        return true;
    }

    /** Compares the lead-track time {@code leadDts} with track {@code t}'s time {@code dts}: negative when lead is earlier. */
    private int before(long leadDts, int t, long dts) {
        long scale = init.tracks().get(t).timescale();
        return Long.compare(leadDts * scale, dts * leadScale);
    }

    private MediaSegment cut(long cutDts) {
        List<List<Sample>> tracks = new ArrayList<>();
        double start = Double.NaN;
        double end = Double.NEGATIVE_INFINITY;
        for (int t = 0; t < pending.size(); t++) {
            Deque<Sample> q = pending.get(t);
            List<Sample> taken = new ArrayList<>();
            while (!q.isEmpty() && (cutDts == Long.MAX_VALUE || (t == lead ? q.peekFirst().dts() < cutDts
                    : before(cutDts, t, q.peekFirst().dts()) > 0))) {
                taken.add(q.pollFirst());
            }
            tracks.add(taken);
            if (!taken.isEmpty()) {
                double scale = init.tracks().get(t).timescale();
                Sample last = taken.get(taken.size() - 1);
                end = Math.max(end, (last.dts() + last.duration()) / scale);
                if (t == lead) {
                    start = taken.get(0).dts() / scale;
                }
            }
        }
        if (Double.isNaN(start)) {
            start = tracks.stream().filter(l -> !l.isEmpty()).mapToDouble(l -> l.get(0).dts()
                    / (double) init.tracks().get(l.get(0).track()).timescale()).min().orElse(0);
        }
        double duration = cutDts == Long.MAX_VALUE ? end - start : cutDts / (double) leadScale - start;
        return new MediaSegment(sequence++, tracks, start, Math.max(0, duration));
    }
}
