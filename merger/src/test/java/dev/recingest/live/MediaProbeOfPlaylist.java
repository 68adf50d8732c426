package dev.recingest.live;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recingest.media.FfmpegBinaries;
import dev.recingest.merge.MediaInfo;
import dev.recingest.merge.MediaProbe;
import java.nio.file.Path;
import java.time.Duration;

/** The project's prober (ffprobe, or libavformat in the JVM) on an HLS playlist in a folder with its segments. */
final class MediaProbeOfPlaylist {

    private MediaProbeOfPlaylist() {
    }

    static MediaInfo probe(Path playlist) throws Exception {
        return info(FfmpegBinaries.locate().prober().probe(playlist, "hls", Duration.ofMinutes(1)));
    }

    static MediaInfo info(JsonNode probe) {
        return MediaProbe.toInfo(probe);
    }
}
