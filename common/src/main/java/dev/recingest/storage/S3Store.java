package dev.recingest.storage;

import dev.recingest.config.S3Config;
import dev.recingest.protocol.ErrorCode;
import dev.recingest.protocol.IngestException;
import dev.recingest.protocol.RecordingId;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import software.amazon.awssdk.core.FileRequestBodyConfiguration;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * {@link ChunkStore}, {@link OutputStore} and {@link MultipartUploads} on S3 (or anything that speaks its protocol).
 *
 * <p>Near 400 lines because it is the one adapter between the SDK and the three narrow storage interfaces:
 * each method is one request (or one listing) and its translation into the storage contract, and keeping
 * them together keeps the SDK out of every other class.
 */
public final class S3Store implements ChunkStore, OutputStore, MultipartUploads, AutoCloseable {

    /** Multipart part size: S3's minimum is 5 MiB; 8 MiB keeps one part in memory at a time. */
    static final int PART_SIZE = 8 << 20;
    private static final int DELETE_LANES = 16;
    static final int UPLOAD_LANES = 4;

    private final S3AsyncClient s3;
    private final S3Presigner presigner;
    private final String bucket;
    private final ObjectKeys keys;

    public S3Store(S3AsyncClient s3, S3Presigner presigner, S3Config config) {
        this.s3 = s3;
        this.presigner = presigner;
        this.bucket = config.bucket();
        this.keys = new ObjectKeys(config.prefix());
    }

    public static S3Store create(S3Config config) {
        return new S3Store(S3Clients.async(config), S3Clients.presigner(config), config);
    }

    public ObjectKeys keys() {
        return keys;
    }

    public String bucket() {
        return bucket;
    }

    /**
     * {@inheritDoc}
     *
     * <p>No copy: the SDK reads the frame's own memory, and every retry reads a fresh duplicate of it. The
     * request carries the MD5 of the bytes as they are here, before the SDK sees them, and S3 refuses a body
     * whose MD5 differs: if the memory changed while the SDK still sent from it, nothing is stored, so no
     * object can hold bytes other than the chunk's own. After a call that failed (a timeout, say) the SDK may
     * still be writing from the memory on a connection it has yet to close, so the buffer goes back to the
     * pool only {@link #RELEASE_AFTER_FAILURE} later; after a success the whole body was sent and answered.
     */
    @Override
    public CompletableFuture<Void> putChunk(RecordingId id, long index, ByteBuf payload) {
        CompletableFuture<Void> result;
        try {
            ByteBuffer body = payload.nioBuffer();
            String md5 = contentMd5(body.duplicate());
            result = storage(s3.putObject(b -> b.bucket(bucket).key(keys.chunk(id, index))
                    .contentLength((long) body.remaining()).contentMD5(md5), AsyncRequestBody.fromByteBufferUnsafe(body)))
                    .thenAccept(r -> { });
        } catch (RuntimeException e) {
            result = CompletableFuture.failedFuture(translate(e));
        }
        return result.whenComplete((r, e) -> {
            if (e == null) {
                payload.release();
            } else {
                RELEASE_LATER.execute(payload::release);
            }
        });
    }

    /** How long a chunk's buffer stays out of the pool after its call failed; see {@link #putChunk}. */
    static final Duration RELEASE_AFTER_FAILURE = Duration.ofSeconds(10);
    private static final java.util.concurrent.Executor RELEASE_LATER =
            CompletableFuture.delayedExecutor(RELEASE_AFTER_FAILURE.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);

    /** The Content-MD5 header's value: base64 of the MD5 of the bytes. */
    static String contentMd5(ByteBuffer bytes) {
        try {
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            md5.update(bytes);
            return Base64.getEncoder().encodeToString(md5.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has MD5", e);
        }
    }

    @Override
    public CompletableFuture<SortedMap<Long, Long>> listChunks(RecordingId id) {
        SortedMap<Long, Long> out = new TreeMap<>();
        ListObjectsV2Request req = ListObjectsV2Request.builder().bucket(bucket).prefix(keys.chunksPrefix(id)).build();
        return listPage(req, id, out).thenApply(x -> out);
    }

    @Override
    public CompletableFuture<StoredObjects> listFrom(RecordingId id, long from) {
        SortedMap<Long, Long> chunks = new TreeMap<>();
        java.util.Map<Long, Long> parts = new TreeMap<>();
        boolean[] found = new boolean[2];
        String manifest = keys.manifest(id);
        String tombstone = keys.tombstone(id);
        // Keys sort as chunks/…, live/…, manifest.json, parts/…, recording.mp4, tombstone.json: starting after
        // chunk from-1 lists the chunks from `from` on and then the recording's few other objects. The live
        // rendition's files (a segment every few seconds: 2,700 for 3 hours) are jumped over: a page that ends among
        // them is followed by one that starts after all of them. (Listed, they made every reconcile of a recording
        // rendered live grow with its length: the merge's admission took 8 s at 3 hours, BENCHMARKS.md section 10.)
        String startAfter = from <= 0 ? keys.chunksPrefix(id) : keys.chunk(id, from - 1);
        ListObjectsV2Request req = ListObjectsV2Request.builder().bucket(bucket).prefix(keys.recording(id))
                .startAfter(startAfter).build();
        String live = keys.live(id);
        // The least key after every key that starts with live/ ('0' follows '/').
        String afterLive = live.substring(0, live.length() - 1) + '0';
        return listPage(req, last -> last.startsWith(live) ? afterLive : null, o -> {
            if (o.key().equals(manifest)) {
                found[0] = true;
            } else if (o.key().equals(tombstone)) {
                found[1] = true;
            } else {
                keys.chunkIndex(id, o.key()).ifPresent(i -> chunks.put(i, o.size()));
                keys.partStartOf(id, o.key()).ifPresent(p -> parts.merge(p[0], p[1], Math::min));
            }
        }).thenApply(x -> new StoredObjects(chunks, found[0], found[1], parts));
    }

    private CompletableFuture<Void> listPage(ListObjectsV2Request req, RecordingId id, SortedMap<Long, Long> out) {
        return listPage(req, o -> keys.chunkIndex(id, o.key()).ifPresent(i -> out.put(i, o.size())));
    }

    private CompletableFuture<Void> listPage(ListObjectsV2Request req, java.util.function.Consumer<S3Object> each) {
        return listPage(req, last -> null, each);
    }

    /**
     * @param jump given the last key of a truncated page, the key to start the next page after (skipping what lies
     *             between), or null to go on with the next page
     */
    private CompletableFuture<Void> listPage(ListObjectsV2Request req, java.util.function.UnaryOperator<String> jump,
                                             java.util.function.Consumer<S3Object> each) {
        return s3.listObjectsV2(req).handle((resp, e) -> {
            if (e != null) {
                throw translate(e);
            }
            resp.contents().forEach(each);
            String to = Boolean.TRUE.equals(resp.isTruncated()) && !resp.contents().isEmpty()
                    ? jump.apply(resp.contents().get(resp.contents().size() - 1).key()) : null;
            if (to != null) {
                return listPage(req.toBuilder().continuationToken(null).startAfter(to).build(), jump, each);
            }
            if (Boolean.TRUE.equals(resp.isTruncated())) {
                // The token alone says where the next page starts. s3proxy refuses StartAfter beside it with
                // 400, which failed every listing of more than 1,000 keys that started after a chunk.
                return listPage(req.toBuilder().startAfter(null).continuationToken(resp.nextContinuationToken())
                        .build(), jump, each);
            }
            return CompletableFuture.<Void>completedFuture(null);
        }).thenCompose(f -> f);
    }

    @Override
    public CompletableFuture<byte[]> getChunk(RecordingId id, long index) {
        return getBytes(keys.chunk(id, index));
    }

    @Override
    public CompletableFuture<Void> deleteChunks(RecordingId id) {
        // One DeleteObject per chunk, in DELETE_LANES parallel lanes: the batch DeleteObjects call needs a
        // checksum header that S3-compatible servers such as s3proxy reject with 501.
        // The part marks go with the chunks they divide (the merged recording's manifest lists the parts).
        List<String> doomed = new ArrayList<>();
        ListObjectsV2Request marks = ListObjectsV2Request.builder().bucket(bucket).prefix(keys.partsPrefix(id)).build();
        return listChunks(id).thenCompose(chunks -> {
            chunks.keySet().forEach(i -> doomed.add(keys.chunk(id, i)));
            return listPage(marks, o -> doomed.add(o.key()));
        }).thenCompose(x -> {
            CompletableFuture<?>[] lanes = new CompletableFuture<?>[DELETE_LANES];
            for (int lane = 0; lane < DELETE_LANES; lane++) {
                CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
                for (int i = lane; i < doomed.size(); i += DELETE_LANES) {
                    String key = doomed.get(i);
                    chain = chain.thenCompose(y -> delete(key));
                }
                lanes[lane] = chain;
            }
            return CompletableFuture.allOf(lanes);
        });
    }

    @Override
    public CompletableFuture<Void> ping() {
        return storage(s3.headBucket(b -> b.bucket(bucket))).thenAccept(r -> { });
    }

    @Override
    public CompletableFuture<StagedUpload> stageFile(String key, Path file, String contentType) {
        return storage(s3.createMultipartUpload(b -> b.bucket(bucket).key(key).contentType(contentType))
                .thenCompose(created -> {
                    String uploadId = created.uploadId();
                    return uploadParts(key, uploadId, file)
                            .<StagedUpload>thenApply(parts -> new MultipartStage(key, uploadId, parts))
                            .whenComplete((r, e) -> {
                                if (e != null) {
                                    s3.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId));
                                }
                            });
                }));
    }

    /** A multipart upload whose parts are all uploaded: CompleteMultipartUpload publishes it, Abort drops it. */
    private final class MultipartStage implements StagedUpload {
        private final String key;
        private final String uploadId;
        private final List<CompletedPart> parts;

        MultipartStage(String key, String uploadId, List<CompletedPart> parts) {
            this.key = key;
            this.uploadId = uploadId;
            this.parts = parts;
        }

        @Override
        public String key() {
            return key;
        }

        @Override
        public CompletableFuture<Void> publish() {
            return s3.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId)
                            .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build()))
                    .handle((r, e) -> {
                        if (e != null) {
                            discard();
                            throw translate(e);
                        }
                        return null;
                    });
        }

        @Override
        public CompletableFuture<Void> discard() {
            return storage(s3.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId))).thenAccept(r -> { });
        }
    }

    /**
     * Uploads the parts in {@link #UPLOAD_LANES} parallel lanes, each lane one part after another and each
     * part read from the file only when its turn comes: one part at a time leaves the upload bound by a
     * PUT's round trip (it was a third of a 1-hour merge), while the lanes bound the heap it takes to
     * UPLOAD_LANES parts' transfer buffers.
     */
    private CompletableFuture<List<CompletedPart>> uploadParts(String key, String uploadId, Path file) {
        List<CompletedPart> parts = java.util.Collections.synchronizedList(new ArrayList<>());
        long size;
        try {
            size = java.nio.file.Files.size(file);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        int partCount = (int) Math.max(1, (size + PART_SIZE - 1) / PART_SIZE);
        CompletableFuture<?>[] lanes = new CompletableFuture<?>[Math.min(UPLOAD_LANES, partCount)];
        for (int lane = 0; lane < lanes.length; lane++) {
            CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
            for (int p = lane + 1; p <= partCount; p += lanes.length) {
                int partNumber = p;
                long offset = (long) (p - 1) * PART_SIZE;
                int length = (int) Math.min(PART_SIZE, size - offset);
                // Streamed from the file in small buffers, not read into an 8 MiB array per part: the heap
                // holds no part, and a 1-hour output is no longer 600 MB of humongous garbage.
                chain = chain.thenCompose(x -> s3.uploadPart(b -> b.bucket(bucket).key(key).uploadId(uploadId)
                                .partNumber(partNumber).contentLength((long) length),
                                AsyncRequestBody.fromFile(FileRequestBodyConfiguration.builder().path(file)
                                        .position(offset).numBytesToRead((long) length).build()))
                        .thenAccept(r -> parts.add(CompletedPart.builder().partNumber(partNumber).eTag(r.eTag()).build())));
            }
            lanes[lane] = chain;
        }
        // CompleteMultipartUpload wants the parts in ascending order; the lanes finish in any order.
        return CompletableFuture.allOf(lanes).thenApply(x -> parts.stream()
                .sorted(java.util.Comparator.comparingInt(CompletedPart::partNumber)).toList());
    }

    @Override
    public CompletableFuture<Void> putBytes(String key, byte[] bytes, String contentType) {
        return storage(s3.putObject(b -> b.bucket(bucket).key(key).contentType(contentType)
                .contentLength((long) bytes.length), AsyncRequestBody.fromBytes(bytes))).thenAccept(r -> { });
    }

    @Override
    public CompletableFuture<byte[]> getBytes(String key) {
        return storage(s3.getObject(b -> b.bucket(bucket).key(key), new SizedBytes()));
    }

    @Override
    public CompletableFuture<Optional<Long>> size(String key) {
        return s3.headObject(b -> b.bucket(bucket).key(key)).handle((r, e) -> {
            if (e == null) {
                return Optional.of(r.contentLength());
            }
            IngestException ie = translate(e);
            if (ie.code() == ErrorCode.NOT_FOUND) {
                return Optional.<Long>empty();
            }
            throw ie;
        });
    }

    @Override
    public CompletableFuture<Void> delete(String key) {
        return storage(s3.deleteObject(b -> b.bucket(bucket).key(key))).thenAccept(r -> { });
    }

    @Override
    public CompletableFuture<Map<String, java.time.Instant>> list(String prefix) {
        Map<String, java.time.Instant> out = new java.util.TreeMap<>();
        return listPage(ListObjectsV2Request.builder().bucket(bucket).prefix(prefix).build(),
                o -> out.put(o.key(), o.lastModified())).thenApply(x -> out);
    }

    @Override
    public URI presignGet(String key, Duration validity) {
        try {
            return presigner.presignGetObject(b -> b.signatureDuration(validity)
                    .getObjectRequest(g -> g.bucket(bucket).key(key))).url().toURI();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public CompletableFuture<String> createUpload(String key, String contentType) {
        return storage(s3.createMultipartUpload(b -> b.bucket(bucket).key(key).contentType(contentType)))
                .thenApply(CreateMultipartUploadResponse::uploadId);
    }

    @Override
    public CompletableFuture<Part> uploadPart(String key, String uploadId, int number, Path file, long position,
                                              long length) {
        return storage(s3.uploadPart(b -> b.bucket(bucket).key(key).uploadId(uploadId).partNumber(number)
                .contentLength(length), AsyncRequestBody.fromFile(FileRequestBodyConfiguration.builder().path(file)
                .position(position).numBytesToRead(length).build())))
                .thenApply(r -> new Part(number, r.eTag(), length));
    }

    @Override
    public StagedUpload staged(String key, String uploadId, List<Part> parts) {
        return new MultipartStage(key, uploadId, parts.stream().sorted(java.util.Comparator.comparingInt(Part::number))
                .map(p -> CompletedPart.builder().partNumber(p.number()).eTag(p.etag()).build()).toList());
    }

    @Override
    public CompletableFuture<byte[]> getRange(String key, long from, long length) {
        return storage(s3.getObject(b -> b.bucket(bucket).key(key).range("bytes=" + from + "-" + (from + length - 1)),
                new SizedBytes()));
    }

    /** Creates the bucket if it is missing (embedded setup and tests only). */
    public void ensureBucket() {
        try {
            s3.headBucket(b -> b.bucket(bucket)).join();
        } catch (CompletionException e) {
            s3.createBucket(b -> b.bucket(bucket)).join();
        }
    }

    /** The SDK call's value as it is, its failure as the storage contract's ({@link #translate}). */
    private static <T> CompletableFuture<T> storage(CompletableFuture<T> call) {
        return call.handle((r, e) -> {
            if (e != null) {
                throw translate(e);
            }
            return r;
        });
    }

    /** Maps SDK failures onto the storage contract: NOT_FOUND, or STORAGE_UNAVAILABLE (retryable). */
    static IngestException translate(Throwable t) {
        Throwable c = t;
        while ((c instanceof CompletionException || c instanceof java.util.concurrent.ExecutionException)
                && c.getCause() != null) {
            c = c.getCause();
        }
        if (c instanceof IngestException ie) {
            return ie;
        }
        if (c instanceof S3Exception s3e && s3e.statusCode() == 404) {
            return new IngestException(ErrorCode.NOT_FOUND, "object not found", c);
        }
        return new IngestException(ErrorCode.STORAGE_UNAVAILABLE, "object storage unavailable: " + c.getMessage(),
                c);
    }

    @Override
    public void close() {
        s3.close();
        presigner.close();
    }
}
