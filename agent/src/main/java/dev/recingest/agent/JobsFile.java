package dev.recingest.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The agent's small config file for several recordings at once: one recording per line,
 * {@code <recording id> <source>}, blank lines and {@code #} comments ignored.
 *
 * <pre>
 * # room 42
 * room-42-mix   /etc/recorder/room-42.sdp
 * lobby-cam     rtsp://10.0.0.7/stream1
 * </pre>
 */
public final class JobsFile {

    private JobsFile() {
    }

    public static List<RecordingJob> read(Path file, String rtspTransport) throws IOException {
        List<RecordingJob> jobs = new ArrayList<>();
        int n = 0;
        for (String raw : Files.readAllLines(file)) {
            n++;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.split("\\s+", 2);
            if (parts.length != 2) {
                throw new IllegalArgumentException(file + " line " + n + ": expected '<recording id> <source>'");
            }
            try {
                jobs.add(new RecordingJob(parts[0], LiveSource.parse(parts[1], rtspTransport), null));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + " line " + n + ": " + e.getMessage(), e);
            }
        }
        if (jobs.isEmpty()) {
            throw new IllegalArgumentException(file + " names no recording");
        }
        return jobs;
    }
}
