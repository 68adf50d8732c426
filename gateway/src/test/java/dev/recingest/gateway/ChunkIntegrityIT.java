package dev.recingest.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recingest.config.S3Config;
import dev.recingest.embedded.EmbeddedS3;
import dev.recingest.protocol.ErrorCode;
import dev.recingest.protocol.IngestException;
import dev.recingest.protocol.RecordingId;
import dev.recingest.storage.S3Store;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.URI;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A chunk's bytes go to S3 straight from the frame's pooled memory (no copy). If that memory changes while
 * the SDK still sends from it (the pool gave it to the next frame after a call that timed out, while the
 * SDK's connection was still writing), the object stored must not be the mix: the gateway sends the MD5
 * of the bytes it handed over, and S3 refuses any body whose MD5 differs. Here the change is made on
 * purpose: a proxy holds the upload after its first 2 MiB, the test overwrites the rest of the buffer with
 * another chunk's bytes, then lets the upload go on. Whatever storage then holds under that key is either
 * nothing or, byte for byte (SHA-256), the chunk that was handed over.
 */
class ChunkIntegrityIT {

    private static final int SIZE = 16 << 20; // well over what the kernel's socket buffers take in
    private static final String ACCESS = "integrity-access";
    private static final String SECRET = "integrity-secret-key";

    @TempDir
    Path dir;

    @Test
    void bytesThatChangeUnderTheSdkAreNeverStored() throws Exception {
        byte[] handedOver = random(1);
        byte[] otherChunk = random(2);
        RecordingId id = RecordingId.of("integrity-1");
        try (EmbeddedS3 server = EmbeddedS3.start(dir.resolve("s3"), ACCESS, SECRET);
             PausingProxy proxy = new PausingProxy(server.port());
             S3Store direct = S3Store.create(config(server.endpoint()));
             S3Store viaProxy = S3Store.create(config(URI.create("http://127.0.0.1:" + proxy.port())))) {
            direct.ensureBucket();
            ByteBuf frame = Unpooled.directBuffer(SIZE).writeBytes(handedOver);
            frame.retain(); // the store releases its reference; the test keeps the memory to write into it
            try {
                proxy.holdAfter(2 << 20);
                CompletableFuture<Void> put = viaProxy.putChunk(id, 0, frame);
                assertTrue(proxy.awaitHolding(30_000), "the upload reached the proxy's hold");
                frame.setBytes(SIZE / 2, otherChunk, SIZE / 2, SIZE / 2); // the memory now holds another chunk's bytes
                proxy.release();
                Throwable failure = null;
                try {
                    put.get(60, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException e) {
                    failure = e.getCause();
                }
                byte[] stored = storedOrNull(direct, id);
                System.out.printf("integrity: put %s; stored %s%n", failure == null ? "succeeded" : "failed: " + failure,
                        stored == null ? "nothing" : stored.length + " bytes, sha256 " + sha256(stored));
                if (stored != null) {
                    assertEquals(sha256(handedOver), sha256(stored), "the stored object is the chunk handed over, "
                            + "not a mix with the bytes that replaced it");
                }
                assertTrue(failure != null, "an upload whose bytes changed under it cannot succeed");
            } finally {
                frame.release();
            }
        }
    }

    private static byte[] storedOrNull(S3Store s3, RecordingId id) {
        try {
            return s3.getChunk(id, 0).join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof IngestException ie && ie.code() == ErrorCode.NOT_FOUND) {
                return null;
            }
            throw e;
        }
    }

    private static S3Config config(URI endpoint) {
        return new S3Config(endpoint, "us-east-1", "recordings", "", ACCESS, SECRET, true, 8);
    }

    private static byte[] random(long seed) {
        byte[] b = new byte[SIZE];
        new Random(seed).nextBytes(b);
        return b;
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
