package dev.recingest.bench;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * The baseline recorder: the same window discipline as {@link NettyLane}, but each chunk is a direct S3 PUT
 * (no gateway, no Redis). The caller gives each lane its share of the gateway's global in-flight limit
 * as its window (when smaller than the per-connection window), so that both sides queue about the same
 * amount of work at the same concurrency.
 */
final class S3Lane implements Lane {

    private final S3AsyncClient s3;
    private final String bucket;
    private final String prefix;
    private final ByteBuffer payload;
    private final int chunkBytes;
    private final long windowBytes;
    private final Stats stats;
    private long next;
    private long inflight;
    private boolean saturating;
    private int credits;
    private volatile boolean running = true;

    S3Lane(S3AsyncClient s3, String bucket, String prefix, int chunkBytes, long windowBytes, Stats stats) {
        this.s3 = s3;
        this.bucket = bucket;
        this.prefix = prefix;
        this.chunkBytes = chunkBytes;
        this.windowBytes = windowBytes;
        this.stats = stats;
        byte[] bytes = new byte[chunkBytes];
        new java.util.Random(prefix.hashCode()).nextBytes(bytes);
        this.payload = ByteBuffer.wrap(bytes).asReadOnlyBuffer();
    }

    @Override
    public synchronized void saturate() {
        saturating = true;
        pump();
    }

    @Override
    public synchronized void tick() {
        if (inflight + chunkBytes > windowBytes) {
            stats.failures.increment();
            return;
        }
        credits++;
        pump();
    }

    private synchronized void pump() {
        while (running && inflight + chunkBytes <= windowBytes && (saturating || credits > 0)) {
            if (!saturating) {
                credits--;
            }
            long index = next++;
            inflight += chunkBytes;
            long sentNanos = System.nanoTime();
            String key = String.format("%s/chunks/%010d", prefix, index);
            CompletableFuture<?> put = s3.putObject(b -> b.bucket(bucket).key(key).contentLength((long) chunkBytes),
                    AsyncRequestBody.fromByteBufferUnsafe(payload.duplicate()));
            put.whenComplete((r, e) -> {
                if (e != null) {
                    stats.failures.increment();
                } else {
                    stats.acked(chunkBytes, sentNanos);
                }
                synchronized (this) {
                    inflight -= chunkBytes;
                    pump();
                }
            });
        }
    }

    @Override
    public void halt() {
        running = false;
    }

    @Override
    public void close() {
        running = false;
    }
}
