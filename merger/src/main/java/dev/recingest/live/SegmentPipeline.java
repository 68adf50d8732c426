package dev.recingest.live;

import dev.recingest.mp4.FragmentReader;
import dev.recingest.mp4.InitSegment;
import dev.recingest.mp4.MalformedMp4;
import dev.recingest.mp4.MediaSegment;
import dev.recingest.mp4.Sample;
import dev.recingest.mp4.Segmenter;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * From FFmpeg's fragmented MP4 to finished segments: reads the init segment and the fragments as FFmpeg writes
 * them, drops the samples a rendition taken over has already published (before {@code resumeAt}, per track), cuts
 * the rest into segments ({@link Segmenter}) and hands each on as soon as it is complete.
 */
final class SegmentPipeline {

    /** Where segments go. */
    interface Sink {
        /** The init segment, before any segment. */
        void init(InitSegment init) throws IOException, InterruptedException;

        void segment(MediaSegment segment) throws IOException, InterruptedException;
    }

    private SegmentPipeline() {
    }

    /**
     * Runs until the stream ends (FFmpeg exited); the last segment is handed on then, if the stream is complete.
     *
     * @param resumeAt per track, the decode time from which samples are new (null: all are); the first new sample of
     *                 the lead track must be a sync sample, or the stream is not the one the published segments
     *                 came from
     * @param complete asked when the stream has ended: whether FFmpeg ended it because its input had ended (the
     *                 recording has), not because it was stopped. Only then are the samples not yet in a segment
     *                 handed on as the last one: a stopped FFmpeg's last samples end anywhere in a GOP, and a
     *                 segment ending there leaves the rendition's next worker no key frame to resume on.
     */
    static void run(InputStream fmp4, double targetSeconds, long firstSequence, long[] resumeAt,
                    java.util.function.BooleanSupplier complete, Sink sink) throws IOException, InterruptedException {
        FragmentReader reader = FragmentReader.open(fmp4);
        InitSegment init = reader.init();
        if (resumeAt != null && resumeAt.length != init.tracks().size()) {
            throw new MalformedMp4("the remux has " + init.tracks().size() + " tracks; the published segments "
                    + resumeAt.length);
        }
        sink.init(init);
        Segmenter segmenter = new Segmenter(init, targetSeconds, firstSequence);
        int lead = init.leadTrack();
        boolean leadStarted = resumeAt == null;
        List<Sample> batch;
        while ((batch = reader.next()) != null) {
            List<Sample> fresh = batch;
            if (resumeAt != null) {
                fresh = new ArrayList<>(batch.size());
                for (Sample s : batch) {
                    if (s.dts() < resumeAt[s.track()]) {
                        continue;
                    }
                    if (s.track() == lead && !leadStarted) {
                        if (s.dts() != resumeAt[lead] || !s.sync()) {
                            throw new MalformedMp4("the remux does not resume on a key frame where the published "
                                    + "segments end (track " + init.tracks().get(lead).id() + " at " + resumeAt[lead]
                                    + ", found " + (s.sync() ? "a key frame" : "a frame") + " at " + s.dts() + ")");
                        }
                        leadStarted = true;
                    }
                    fresh.add(s);
                }
            }
            for (MediaSegment seg : segmenter.add(fresh)) {
                sink.segment(seg);
            }
        }
        if (!complete.getAsBoolean()) {
            return;
        }
        for (MediaSegment seg : segmenter.finish()) {
            sink.segment(seg);
        }
    }
}
