package dev.recingest.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a merge spent its time, read from the merger's log: it writes one line per phase with the
 * phase's milliseconds ("merge joined": probe of the first chunks, downloads and FFmpeg, which overlap;
 * "output uploaded": the MP4 to S3; "merge completed": the whole attempt), as {@code recording=ID ...
 * durationMs=N} after the phrase.
 */
final class MergeLog {

    /** Seconds of each phase; NaN when the log has no line for it. */
    record Phases(double join, double upload, double total) {
    }

    private MergeLog() {
    }

    static Phases phases(Path log, String recordingId) throws IOException {
        return phases(Files.readAllLines(log), recordingId);
    }

    static Phases phases(List<String> lines, String recordingId) {
        return new Phases(seconds(lines, "merge joined", recordingId), seconds(lines, "output uploaded", recordingId),
                seconds(lines, "merge completed", recordingId));
    }

    private static double seconds(List<String> lines, String event, String recordingId) {
        Pattern p = Pattern.compile(Pattern.quote(event + " recording=" + recordingId + " ") + ".*\\bdurationMs=([0-9]+)");
        double found = Double.NaN;
        for (String line : lines) {
            Matcher m = p.matcher(line);
            if (m.find()) {
                found = Long.parseLong(m.group(1)) / 1000.0; // the last attempt's, if there were several
            }
        }
        return found;
    }
}
