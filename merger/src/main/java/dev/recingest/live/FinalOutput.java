package dev.recingest.live;

import dev.recingest.merge.ChunkDigest;
import dev.recingest.merge.MediaInfo.StreamInfo;
import dev.recingest.protocol.Json;
import dev.recingest.storage.MultipartUploads.Part;
import java.util.List;

/**
 * {@code live/mp4-final.json}: the rendition's MP4 is uploaded whole, as a multipart upload not yet completed.
 * Written once, when the recording has stopped and every chunk is in the rendition; what a merge needs to
 * publish that MP4 instead of merging the chunks ({@link LiveOutputs}).
 *
 * @param uploadId        the multipart upload of the recording's output key
 * @param parts           every part, part 1 (ftyp, moov and the first media) included
 * @param size            the MP4's size
 * @param durationSeconds its duration (the {@code mvhd} duration)
 * @param streams         its streams, as the manifest lists them
 * @param codecs          what happened to each stream, for logs ("video vp8->libx264, audio opus->copy")
 * @param chunkCount      N: the chunks the rendition read, 0..N-1, void ones skipped
 * @param chunks          size and SHA-256 of every chunk it read, in index order
 * @param segments        the segments listed in the playlist
 * @param videoFrames     samples of the first video track (0 without video)
 */
public record FinalOutput(String uploadId, List<Part> parts, long size, double durationSeconds, List<StreamInfo> streams,
                          String codecs, long chunkCount, List<ChunkDigest> chunks, long segments, long videoFrames) {

    public FinalOutput {
        parts = List.copyOf(parts);
        streams = List.copyOf(streams);
        chunks = List.copyOf(chunks);
    }

    byte[] toJson() {
        return Json.writeBytes(this);
    }

    static FinalOutput fromJson(byte[] json) {
        try {
            return Json.MAPPER.readValue(json, FinalOutput.class);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("unreadable mp4-final.json: " + e.getMessage(), e);
        }
    }
}
