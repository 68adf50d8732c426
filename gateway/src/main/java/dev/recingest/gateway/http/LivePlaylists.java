package dev.recingest.gateway.http;

import dev.recingest.protocol.ErrorCode;
import dev.recingest.protocol.IngestException;
import dev.recingest.protocol.RecordingId;
import dev.recingest.storage.ObjectKeys;
import dev.recingest.storage.OutputStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * {@code GET /v1/recordings/{id}/live.m3u8}: the live rendition's HLS playlist (written by the merger's live
 * worker, {@code dev.recingest.live}) as stored, with every segment and init segment URI replaced by a presigned
 * GET URL of its object, so a player fetches the media from S3 directly and the gateway serves only the playlist.
 * While the recording goes on the playlist is an EVENT playlist that a player re-reads (each read gets fresh
 * URLs); once it has {@code #EXT-X-ENDLIST} it is the VOD playlist of the whole recording, read once, so its URLs
 * must outlive a viewing: they are valid {@link #URL_VALIDITY}. Only names the rendition writes are signed
 * ({@link ObjectKeys#LIVE_MEDIA_NAME}); anything else in the stored text is refused rather than passed on.
 */
final class LivePlaylists {

    /** How long a segment URL in a served playlist stays valid. */
    static final Duration URL_VALIDITY = Duration.ofHours(6);
    static final String CONTENT_TYPE = "application/vnd.apple.mpegurl";
    private static final String MAP_PREFIX = "#EXT-X-MAP:URI=\"";

    private final OutputStore outputs;

    LivePlaylists(OutputStore outputs) {
        this.outputs = outputs;
    }

    /** The playlist with presigned URIs; NOT_FOUND while the rendition has listed nothing (or there is none). */
    CompletableFuture<String> playlist(RecordingId id) {
        ObjectKeys keys = outputs.keys();
        return outputs.getBytes(keys.livePlaylist(id)).handle((bytes, error) -> {
            if (error != null) {
                IngestException e = IngestException.from(error);
                if (e.code() == ErrorCode.NOT_FOUND) {
                    throw new IngestException(ErrorCode.NOT_FOUND, "recording " + id.value()
                            + " has no live playlist (yet): its first segment is not listed, or it was not rendered live");
                }
                throw e;
            }
            return signed(id, new String(bytes, StandardCharsets.UTF_8));
        });
    }

    private String signed(RecordingId id, String stored) {
        StringBuilder out = new StringBuilder(stored.length() * 4);
        for (String line : stored.split("\n")) {
            if (line.startsWith(MAP_PREFIX)) {
                int end = line.indexOf('"', MAP_PREFIX.length());
                out.append(MAP_PREFIX).append(url(id, line.substring(MAP_PREFIX.length(), end))).append(line.substring(end));
            } else if (!line.isBlank() && !line.startsWith("#")) {
                out.append(url(id, line.trim()));
            } else {
                out.append(line);
            }
            out.append('\n');
        }
        return out.toString();
    }

    private String url(RecordingId id, String name) {
        if (!ObjectKeys.LIVE_MEDIA_NAME.matcher(name).matches()) {
            throw new IngestException(ErrorCode.INTERNAL, "the stored live playlist of " + id.value()
                    + " names an unexpected file");
        }
        return outputs.presignGet(outputs.keys().liveFile(id, name), URL_VALIDITY).toString();
    }
}
