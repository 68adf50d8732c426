package dev.recingest.live;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.recingest.merge.Await;
import dev.recingest.merge.MergeFailure;
import dev.recingest.mp4.Faststart;
import dev.recingest.mp4.SampleTables;
import dev.recingest.protocol.Json;
import dev.recingest.protocol.RecordingId;
import dev.recingest.storage.LiveRenditionFiles;
import dev.recingest.storage.MultipartUploads;
import dev.recingest.storage.MultipartUploads.Part;
import dev.recingest.storage.ObjectKeys;
import dev.recingest.storage.OutputStore;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The recording's progressive MP4, uploaded while it records, so that the stop costs the same for an hour as for a
 * minute. The MP4 is {@code ftyp}, {@code moov}, then one {@code mdat} holding every segment's payload in order
 * ({@link Faststart}); only its head depends on the end (the {@code moov} lists every sample). So the media go up
 * as they come, in multipart parts of at least {@link MultipartUploads#MIN_PART} bytes, numbered from 2; the first
 * segments' payloads (the "head", the smallest run of segments from the first that reaches the minimum) wait on
 * local disk, and at the end part 1 is the head of the file plus them, and the last part is what is left. S3
 * assembles the parts by number. Nothing is visible at the output key until a merge completes the upload.
 *
 * <p>Storage state, so that another merger can take over: {@code live/mp4-upload.json} (the upload's id, written
 * before its first part) and {@code live/mp4-parts.json} (every uploaded part with the segments it holds, rewritten
 * after each part). The payloads themselves are in the segments; a taker-over downloads those of the head and of
 * what was not uploaded yet ({@link #resume}). Local files in {@code dir}: {@code head.bin}, {@code tail.bin},
 * {@code part1.bin}.
 */
final class FastMp4 {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(FastMp4.class);

    private static final Duration WAIT = Duration.ofMinutes(2);

    /** A part with the segments whose payloads it holds, {@code [firstSegment, endSegment)}. */
    record Range(Part part, long firstSegment, long endSegment) {
    }

    private final MultipartUploads uploads;
    private final OutputStore outputs;
    private final ObjectKeys keys;
    private final RecordingId id;
    private final Path head;
    private final Path tail;
    private final long minPart;
    private String uploadId;
    private final List<Range> ranges = new ArrayList<>();
    private long headBytes;
    /** The end of the head's segments once it holds {@code minPart} bytes; -1 before. */
    private long headEnd = -1;
    private long tailBytes;
    private long tailFirst;
    private long uploadedBytes;

    FastMp4(MultipartUploads uploads, OutputStore outputs, RecordingId id, Path dir, long minPart) throws IOException {
        this.uploads = uploads;
        this.outputs = outputs;
        this.keys = outputs.keys();
        this.id = id;
        Files.createDirectories(dir);
        this.head = dir.resolve("head.bin");
        this.tail = dir.resolve("tail.bin");
        this.minPart = minPart;
        Files.deleteIfExists(head);
        Files.deleteIfExists(tail);
        Files.createFile(head);
        Files.createFile(tail);
    }

    /** Appends a segment's payload (segments in order, from 0); uploads a part when enough waits. */
    void add(long segment, byte[] bytes, int offset, int length) throws IOException, InterruptedException {
        if (headEnd < 0) {
            append(head, bytes, offset, length);
            headBytes += length;
            if (headBytes >= minPart) {
                headEnd = segment + 1;
                tailFirst = headEnd;
            }
            return;
        }
        append(tail, bytes, offset, length);
        tailBytes += length;
        if (tailBytes >= minPart) {
            uploadTail(segment + 1);
        }
    }

    /** Media bytes taken so far. */
    long mediaBytes() {
        return headBytes + uploadedBytes + tailBytes;
    }

    /**
     * Uploads what is left and part 1 (the file's head with the held-back first payloads); the parts of the whole
     * MP4, for {@link FinalOutput}.
     */
    List<Part> finish(SampleTables tables, Path work) throws IOException, InterruptedException {
        if (tables.mediaBytes() != mediaBytes()) {
            throw new IllegalStateException("the sample tables hold " + tables.mediaBytes() + " media bytes, the upload "
                    + mediaBytes());
        }
        long started = System.nanoTime();
        ensureUpload();
        long tailSize = tailBytes;
        if (tailBytes > 0) {
            uploadTail(tables.segments());
        }
        long tailUploaded = System.nanoTime();
        Path first = work.resolve("part1.bin");
        byte[] fileHead = Faststart.head(tables);
        long moovBuilt = System.nanoTime();
        try (OutputStream out = Files.newOutputStream(first)) {
            out.write(fileHead);
            Files.copy(head, out);
        }
        long partOneSize = Files.size(first);
        long partOneWritten = System.nanoTime();
        Part one = await(uploads.uploadPart(keys.output(id), uploadId, 1, first, 0, partOneSize));
        long partOneUploaded = System.nanoTime();
        Files.deleteIfExists(first);
        List<Part> all = new ArrayList<>();
        all.add(one);
        ranges.forEach(r -> all.add(r.part()));
        // What the stop costs on the rendition's side, by step (LiveStopBenchmark reads these).
        LOG.atInfo().addKeyValue("recording", id).addKeyValue("tailBytes", tailSize)
                .addKeyValue("tailUploadMs", millis(started, tailUploaded)).addKeyValue("headBytes", fileHead.length)
                .addKeyValue("headBuildMs", millis(tailUploaded, moovBuilt))
                .addKeyValue("partOneWriteMs", millis(moovBuilt, partOneWritten)).addKeyValue("partOneBytes", partOneSize)
                .addKeyValue("partOneUploadMs", millis(partOneWritten, partOneUploaded)).addKeyValue("parts", all.size())
                .log("live mp4 parts uploaded");
        return all;
    }

    String uploadId() {
        return uploadId;
    }

    /** Drops the upload (the rendition's MP4 will not be used). */
    void abort() {
        if (uploadId != null) {
            uploads.staged(keys.output(id), uploadId, List.of()).discard();
        }
    }

    private void uploadTail(long endSegment) throws IOException, InterruptedException {
        ensureUpload();
        int number = 2 + ranges.size();
        Part part = await(uploads.uploadPart(keys.output(id), uploadId, number, tail, 0, tailBytes));
        ranges.add(new Range(part, tailFirst, endSegment));
        uploadedBytes += tailBytes;
        await(outputs.putBytes(keys.liveFile(id, "mp4-parts.json"), partsJson(), "application/json"));
        Files.write(tail, new byte[0], StandardOpenOption.TRUNCATE_EXISTING);
        tailBytes = 0;
        tailFirst = endSegment;
    }

    private void ensureUpload() throws InterruptedException {
        if (uploadId != null) {
            return;
        }
        uploadId = await(uploads.createUpload(keys.output(id), "video/mp4"));
        ObjectNode n = Json.MAPPER.createObjectNode().put("key", keys.output(id)).put("uploadId", uploadId);
        await(outputs.putBytes(keys.liveFile(id, LiveRenditionFiles.UPLOAD), Json.writeBytes(n), "application/json"));
    }

    private byte[] partsJson() {
        ObjectNode root = Json.MAPPER.createObjectNode().put("headSegments", headEnd);
        ArrayNode parts = root.putArray("parts");
        for (Range r : ranges) {
            parts.addObject().put("number", r.part().number()).put("etag", r.part().etag()).put("size", r.part().size())
                    .put("firstSegment", r.firstSegment()).put("endSegment", r.endSegment());
        }
        return Json.writeBytes(root);
    }

    /**
     * The upload of a rendition taken over: its parts from storage, the head and the not yet uploaded payloads
     * downloaded from the published segments.
     *
     * @param payloadSizes the payload size of each published segment, by sequence (0..K-1)
     * @param payload      downloads the payload of a published segment
     */
    static FastMp4 resume(MultipartUploads uploads, OutputStore outputs, RecordingId id, Path dir, long minPart,
                          List<Long> payloadSizes, PayloadSource payload) throws IOException, InterruptedException {
        FastMp4 m = new FastMp4(uploads, outputs, id, dir, minPart);
        ObjectKeys keys = outputs.keys();
        Optional<byte[]> upload = optional(outputs.getBytes(keys.liveFile(id, LiveRenditionFiles.UPLOAD)));
        Optional<byte[]> parts = optional(outputs.getBytes(keys.liveFile(id, "mp4-parts.json")));
        if (upload.isPresent()) {
            m.uploadId = Json.MAPPER.readTree(upload.get()).path("uploadId").asText(null);
        }
        long uploadedEnd = -1;
        if (parts.isPresent() && m.uploadId != null) {
            for (JsonNode p : Json.MAPPER.readTree(parts.get()).path("parts")) {
                Range r = new Range(new Part(p.path("number").asInt(), p.path("etag").asText(), p.path("size").asLong()),
                        p.path("firstSegment").asLong(), p.path("endSegment").asLong());
                m.ranges.add(r);
                m.uploadedBytes += r.part().size();
                uploadedEnd = r.endSegment();
            }
        }
        for (long s = 0; s < payloadSizes.size(); s++) {
            if (m.headEnd >= 0 && s < uploadedEnd) {
                continue; // in an uploaded part already
            }
            if (m.headEnd >= 0 && s == Math.max(uploadedEnd, m.headEnd) && m.tailBytes == 0) {
                m.tailFirst = s;
            }
            byte[] b = payload.payload(s);
            if (b.length != payloadSizes.get((int) s)) {
                throw new IllegalStateException("segment " + s + " holds " + b.length + " bytes of media, its moof "
                        + payloadSizes.get((int) s));
            }
            if (m.headEnd < 0) {
                append(m.head, b, 0, b.length);
                m.headBytes += b.length;
                if (m.headBytes >= minPart) {
                    m.headEnd = s + 1;
                    m.tailFirst = m.headEnd;
                }
            } else {
                append(m.tail, b, 0, b.length);
                m.tailBytes += b.length;
            }
        }
        if (!m.ranges.isEmpty() && m.ranges.get(0).firstSegment() != m.headEnd) {
            throw new IllegalStateException("mp4-parts.json starts at segment " + m.ranges.get(0).firstSegment()
                    + ", the head ends at " + m.headEnd);
        }
        return m;
    }

    /** Where {@link #resume} gets a published segment's payload. */
    interface PayloadSource {
        byte[] payload(long segment) throws IOException, InterruptedException;
    }

    private static Optional<byte[]> optional(java.util.concurrent.CompletableFuture<byte[]> f) throws InterruptedException {
        return Resumption.optional(f);
    }

    private static <T> T await(java.util.concurrent.CompletableFuture<T> f) throws InterruptedException {
        return Await.within(f, WAIT);
    }

    private static long millis(long fromNanos, long toNanos) {
        return (toNanos - fromNanos) / 1_000_000;
    }

    private static void append(Path file, byte[] b, int off, int len) throws IOException {
        try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.APPEND)) {
            out.write(b, off, len);
        }
    }
}
