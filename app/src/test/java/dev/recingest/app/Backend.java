package dev.recingest.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.recingest.config.RedisConfig;
import dev.recingest.config.S3Config;
import dev.recingest.config.Settings;
import dev.recingest.embedded.EmbeddedRedis;
import dev.recingest.embedded.EmbeddedS3;
import dev.recingest.events.OutboxPublisher;
import dev.recingest.protocol.Mode;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.Outcomes;
import dev.recingest.state.Recording;
import dev.recingest.state.RecordingState;
import dev.recingest.state.RecordingStore;
import dev.recingest.state.RedisConnection;
import dev.recingest.state.RedisConnections;
import dev.recingest.state.SeqMode;
import dev.recingest.storage.S3Store;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.function.BooleanSupplier;

/**
 * A real Redis and S3 server on loopback with the stores over them, settings that point a merger (in
 * this JVM or another) at them, and recordings written the way the gateway writes them.
 */
final class Backend implements AutoCloseable {

    static final String ACCESS = "test-access";
    static final String SECRET = "test-secret-key";

    final EmbeddedRedis redisServer;
    final EmbeddedS3 s3Server;
    final RedisConnections redis;
    final RedisConnection connection;
    final RecordingStore store;
    final S3Store s3;
    final OutboxPublisher events;

    Backend(Path dir) {
        redisServer = EmbeddedRedis.start(dir.resolve("redis"));
        s3Server = EmbeddedS3.start(dir.resolve("s3"), ACCESS, SECRET);
        redis = new RedisConnections(new RedisConfig(redisServer.uri()));
        connection = redis.connect();
        store = new RecordingStore(connection.async(), Clock.systemUTC());
        s3 = S3Store.create(S3Config.from(Settings.of(env(Map.of()))));
        s3.ensureBucket();
        events = OutboxPublisher.create(Settings.of(Map.of()), connection.async(), store);
    }

    /** The settings of a process that uses these servers, plus {@code more}. */
    Map<String, String> env(Map<String, String> more) {
        Map<String, String> env = new HashMap<>(Map.of(
                "RECINGEST_REDIS_URI", redisServer.uri(),
                "RECINGEST_S3_ENDPOINT", s3Server.endpoint().toString(),
                "RECINGEST_S3_BUCKET", "recordings",
                "AWS_ACCESS_KEY_ID", ACCESS,
                "AWS_SECRET_ACCESS_KEY", SECRET));
        env.putAll(more);
        return env;
    }

    /** Records {@code chunks} with explicit seqs and stops the recording (the merge is not queued). */
    void record(RecordingId id, String contentType, List<byte[]> chunks) {
        Outcomes.StartOutcome started = store.ledger().start(id, contentType, Mode.STREAM, "{\"case\":\"" + id + "\"}").join();
        for (int seq = 0; seq < chunks.size(); seq++) {
            write(id, started.epoch(), seq, chunks.get(seq));
        }
        assertEquals(Outcomes.StopKind.STOPPED, store.ledger().stop(id, started.epoch(), (long) chunks.size() - 1).join().kind());
    }

    /**
     * Records a stream read from {@code in} in chunks of {@code chunkBytes}, four uploads in flight, and
     * stops it; returns the bytes written. Memory stays at a few chunks whatever the stream's length.
     */
    long recordStream(RecordingId id, String contentType, InputStream in, int chunkBytes) throws IOException, InterruptedException {
        Outcomes.StartOutcome started = store.ledger().start(id, contentType, Mode.STREAM, "").join();
        Semaphore inFlight = new Semaphore(4);
        List<CompletableFuture<?>> all = new java.util.ArrayList<>();
        long seq = 0;
        long total = 0;
        byte[] chunk;
        while ((chunk = in.readNBytes(chunkBytes)).length > 0) {
            inFlight.acquire();
            Outcomes.Assignment a = store.ledger().assign(id, started.epoch(), seq++, SeqMode.EXPLICIT).join();
            long size = chunk.length;
            total += size;
            all.add(s3.putChunk(id, a.index(), Unpooled.wrappedBuffer(chunk))
                    .thenCompose(x -> store.ledger().commit(id, a.index(), size))
                    .whenComplete((x, e) -> inFlight.release()));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
        assertEquals(Outcomes.StopKind.STOPPED, store.ledger().stop(id, started.epoch(), seq - 1).join().kind());
        return total;
    }

    private void write(RecordingId id, long epoch, long seq, byte[] bytes) {
        Outcomes.Assignment a = store.ledger().assign(id, epoch, seq, SeqMode.EXPLICIT).join();
        s3.putChunk(id, a.index(), Unpooled.wrappedBuffer(bytes)).join();
        store.ledger().commit(id, a.index(), bytes.length).join();
    }

    Recording awaitState(RecordingId id, Set<RecordingState> states, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        Recording last = null;
        while (System.nanoTime() < deadline) {
            last = store.get(id).join().orElse(null);
            if (last != null && states.contains(last.state())) {
                return last;
            }
            Thread.sleep(100);
        }
        return fail("recording " + id + " did not reach " + states + " within " + limit + "; last: " + last);
    }

    static void await(BooleanSupplier condition, Duration limit, String what) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out after " + limit + " waiting until " + what);
            }
            Thread.sleep(20);
        }
    }

    @Override
    public void close() {
        connection.close();
        redis.close();
        s3.close();
        s3Server.close();
        redisServer.close();
    }
}
