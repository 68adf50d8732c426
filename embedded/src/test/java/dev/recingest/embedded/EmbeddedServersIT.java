package dev.recingest.embedded;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recingest.config.RedisConfig;
import dev.recingest.config.S3Config;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.RedisConnections;
import dev.recingest.storage.S3Clients;
import dev.recingest.storage.S3Store;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.services.s3.S3AsyncClient;

class EmbeddedServersIT {

    @TempDir
    Path dir;

    @Test
    void redisAnswersAndStreamsWork() {
        try (EmbeddedRedis redis = EmbeddedRedis.start(dir.resolve("redis"));
             RedisConnections conns = new RedisConnections(new RedisConfig(redis.uri()))) {
            var sync = conns.connect().sync();
            assertEquals("PONG", sync.ping());
            String version = sync.info("server").lines().filter(l -> l.startsWith("redis_version:"))
                    .findFirst().orElseThrow();
            assertTrue(version.compareTo("redis_version:6.2") >= 0, version);
        }
    }

    @Test
    void s3StoresListsAndDeletesChunksAndIgnoresConditionalPuts() {
        try (EmbeddedS3 server = EmbeddedS3.start(dir.resolve("s3"), "access", "secret-secret");
             S3Store store = bucket(server, 16)) {
            RecordingId id = RecordingId.of("rec-1");
            ByteBuf payload = Unpooled.directBuffer().writeBytes("hello".getBytes(StandardCharsets.UTF_8));
            store.putChunk(id, 3, payload).join();
            assertEquals(0, payload.refCnt(), "the store releases the chunk buffer exactly once");
            SortedMap<Long, Long> listed = store.listChunks(id).join();
            assertEquals(java.util.Map.of(3L, 5L), listed);
            assertArrayEquals("hello".getBytes(StandardCharsets.UTF_8), store.getChunk(id, 3).join());
            store.deleteChunks(id).join();
            assertTrue(store.listChunks(id).join().isEmpty());
            assertIfNoneMatchIsIgnored(server);
        }
    }

    /**
     * A listing longer than one page (S3 answers at most 1,000 keys a page): every page after the first
     * carries a continuation token, and the listing that starts after a chunk must still reach the end.
     */
    @Test
    void aListingOfMoreThanOnePageReachesEveryChunk() {
        try (EmbeddedS3 server = EmbeddedS3.start(dir.resolve("s3-pages"), "access", "secret-secret");
             S3Store store = bucket(server, 64)) {
            RecordingId id = RecordingId.of("long-recording");
            int n = 1_205;
            java.util.List<java.util.concurrent.CompletableFuture<Void>> puts = new java.util.ArrayList<>();
            for (int i = 0; i < n; i++) {
                puts.add(store.putChunk(id, i, Unpooled.wrappedBuffer(new byte[] {(byte) i})));
                if (puts.size() == 64) {
                    puts.forEach(java.util.concurrent.CompletableFuture::join);
                    puts.clear();
                }
            }
            puts.forEach(java.util.concurrent.CompletableFuture::join);
            assertEquals(n, store.listChunks(id).join().size(), "listChunks");
            assertEquals(n, store.listFrom(id, 0).join().chunks().size(), "listFrom(0)");
            assertEquals(n - 7, store.listFrom(id, 7).join().chunks().size(), "listFrom(7)");
        }
    }

    /**
     * A listing from a chunk on jumps over the live rendition's files (keys under {@code live/}, which sort between
     * the chunks and the manifest) rather than paging through them, and still finds what sorts after them: here
     * its first page ends among 1,100 live files, and the next must start after the last of them.
     */
    @Test
    void aListingFromAChunkJumpsOverTheLiveFilesAndFindsWhatFollowsThem() {
        try (EmbeddedS3 server = EmbeddedS3.start(dir.resolve("s3-live"), "access", "secret-secret");
             S3Store store = bucket(server, 64)) {
            RecordingId id = RecordingId.of("rendered-live");
            var keys = store.keys();
            java.util.List<java.util.concurrent.CompletableFuture<Void>> puts = new java.util.ArrayList<>();
            for (int i = 0; i < 3; i++) {
                puts.add(store.putChunk(id, i, Unpooled.wrappedBuffer(new byte[] {(byte) i, 1})));
            }
            byte[] segment = {0};
            for (int i = 0; i < 1_100; i++) {
                puts.add(store.putBytes(keys.liveFile(id, String.format("%08d.m4s", i)), segment, "video/iso.segment"));
                if (puts.size() == 64) {
                    puts.forEach(java.util.concurrent.CompletableFuture::join);
                    puts.clear();
                }
            }
            puts.add(store.putBytes(keys.manifest(id), "{}".getBytes(StandardCharsets.UTF_8), "application/json"));
            puts.add(store.putBytes(keys.partStart(id, 2, 1_000L), new byte[0], "application/octet-stream"));
            puts.add(store.putBytes(keys.tombstone(id), "{}".getBytes(StandardCharsets.UTF_8), "application/json"));
            puts.forEach(java.util.concurrent.CompletableFuture::join);
            var listed = store.listFrom(id, 2).join();
            assertEquals(java.util.Map.of(2L, 2L), listed.chunks(), "the chunks from 2 on");
            assertTrue(listed.manifest(), "the manifest, after the live files");
            assertTrue(listed.tombstone(), "the tombstone, after the live files");
            assertEquals(java.util.Map.of(2L, 1_000L), listed.parts(), "the part mark, after the live files");
            assertEquals(3, store.listFrom(id, 0).join().chunks().size(), "listFrom(0)");
        }
    }

    /** A store on {@code server}'s bucket "bucket" (created), keys under "p/". */
    private static S3Store bucket(EmbeddedS3 server, int maxConcurrency) {
        S3Store store = S3Store.create(new S3Config(server.endpoint(), "us-east-1", "bucket", "p/", "access",
                "secret-secret", true, maxConcurrency));
        store.ensureBucket();
        return store;
    }

    /**
     * s3proxy 2.6 (filesystem backend) ignores {@code If-None-Match: *} on PUT: the second conditional PUT
     * of a key overwrites it instead of failing with 412. The gateway therefore does not rely on conditional
     * PUTs to keep a chunk from being overwritten (see docs/PROTOCOL-NOTES.md); if this starts failing, the
     * store has learned them.
     */
    private static void assertIfNoneMatchIsIgnored(EmbeddedS3 server) {
        try (S3AsyncClient s3 = S3Clients.async(new S3Config(server.endpoint(), "us-east-1", "bucket", "", "access",
                "secret-secret", true, 4))) {
            s3.putObject(b -> b.bucket("bucket").key("k").ifNoneMatch("*"), AsyncRequestBody.fromString("first")).join();
            s3.putObject(b -> b.bucket("bucket").key("k").ifNoneMatch("*"), AsyncRequestBody.fromString("second")).join();
            assertEquals("second", s3.getObject(b -> b.bucket("bucket").key("k"), AsyncResponseTransformer.toBytes())
                    .join().asUtf8String(), "overwritten despite If-None-Match: *");
        }
    }
}
