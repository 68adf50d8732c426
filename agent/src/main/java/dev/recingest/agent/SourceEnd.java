package dev.recingest.agent;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a source whose FFmpeg exited normally has really ended, or only dropped. FFmpeg exits the same
 * way (code 0) when an HLS playlist is closed and when its server goes away, so the playlist itself is
 * asked: {@code #EXT-X-ENDLIST} (in the first variant of a master playlist) means the stream is over.
 */
final class SourceEnd {

    private static final Logger LOG = LoggerFactory.getLogger(SourceEnd.class);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NORMAL).build();

    private SourceEnd() {
    }

    static boolean ended(LiveSource source) {
        return switch (source.kind()) {
            case FILE -> true;
            case HLS -> playlistEnded(URI.create(source.location()), 2);
            default -> false;
        };
    }

    private static boolean playlistEnded(URI playlist, int depth) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(playlist).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                return false;
            }
            String body = r.body();
            if (body.contains("#EXT-X-ENDLIST")) {
                return true;
            }
            if (depth > 0 && body.contains("#EXT-X-STREAM-INF")) {
                String[] lines = body.split("\r?\n");
                for (int i = 0; i < lines.length - 1; i++) {
                    if (lines[i].startsWith("#EXT-X-STREAM-INF")) {
                        return playlistEnded(playlist.resolve(lines[i + 1].strip()), depth - 1);
                    }
                }
            }
            return false;
        } catch (Exception e) {
            LOG.atDebug().addKeyValue("url", LiveSource.redact(String.valueOf(playlist))).addKeyValue("error", e.toString())
                    .log("playlist check failed");
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return false;
        }
    }
}
