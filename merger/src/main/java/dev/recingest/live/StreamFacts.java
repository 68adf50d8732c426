package dev.recingest.live;

import dev.recingest.merge.MediaInfo.StreamInfo;
import dev.recingest.mp4.InitSegment;
import dev.recingest.mp4.SampleTables;
import dev.recingest.mp4.TrackFacts;
import java.util.ArrayList;
import java.util.List;

/** The rendition's MP4 described the way the merge describes its output (the manifest's streams, the duration). */
final class StreamFacts {

    private StreamFacts() {
    }

    static List<StreamInfo> streams(SampleTables tables) {
        InitSegment init = tables.init();
        List<StreamInfo> out = new ArrayList<>();
        for (int t = 0; t < init.tracks().size(); t++) {
            InitSegment.Track track = init.tracks().get(t);
            TrackFacts f = TrackFacts.of(init, t);
            String type = track.video() ? "video" : track.audio() ? "audio" : "data";
            out.add(new StreamInfo(t, type, f.codecName(), f.width(), f.height(), f.sampleRate(), f.channels(),
                    round(tables.presentationSeconds(t))));
        }
        return out;
    }

    /** The MP4's duration as its {@code mvhd} gives it (the longest track, in the movie timescale). */
    static double durationSeconds(SampleTables tables) {
        long scale = tables.init().movieTimescale();
        long longest = 0;
        for (int t = 0; t < tables.init().tracks().size(); t++) {
            longest = Math.max(longest, Math.round(tables.presentationSeconds(t) * scale));
        }
        return longest / (double) scale;
    }

    static long videoFrames(SampleTables tables) {
        for (int t = 0; t < tables.init().tracks().size(); t++) {
            if (tables.init().tracks().get(t).video()) {
                return tables.samples(t);
            }
        }
        return 0;
    }

    private static double round(double seconds) {
        return Math.round(seconds * 1e6) / 1e6;
    }
}
