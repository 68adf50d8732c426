package dev.recingest.merge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.recingest.config.S3Config;
import dev.recingest.embedded.EmbeddedRedis;
import dev.recingest.embedded.EmbeddedS3;
import dev.recingest.embedded.RedisUnderTest;
import dev.recingest.media.FfmpegBinaries;
import dev.recingest.protocol.Mode;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.Outcomes;
import dev.recingest.state.Recording;
import dev.recingest.state.RecordingState;
import dev.recingest.state.RecordingStore;
import dev.recingest.state.RedisConnections;
import dev.recingest.state.SeqMode;
import dev.recingest.storage.ChunkStore;
import dev.recingest.storage.S3Store;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;

/**
 * A real Redis and a real S3 protocol server on loopback, the stores over them, and helpers that
 * record a recording the way the gateway does (start, assign + put + commit per chunk, stop).
 */
public final class TestCluster implements AutoCloseable {

    /** The Redis the clusters made by a set-up in {@link #onRedis} use instead of an embedded one. */
    private static volatile RedisUnderTest nextRedis;

    /** The embedded Redis this started, or null when it runs on one handed in ({@link #onRedis}). */
    public final EmbeddedRedis redisServer;
    public final EmbeddedS3 s3Server;
    public final RedisConnections redis;
    public final RecordingStore recordings;
    public final S3Store storage;
    /** How {@link #storage} reaches the S3 server, for a test's own client (calls the store does not make). */
    final S3Config s3Config;
    private final dev.recingest.state.RedisConnection connection;

    public TestCluster(Path dir) {
        RedisUnderTest given = nextRedis;
        redisServer = given == null ? EmbeddedRedis.start(dir.resolve("redis")) : null;
        s3Server = EmbeddedS3.start(dir.resolve("s3"), "access", "secret-secret");
        redis = new RedisConnections((given == null ? redisServer : given).config());
        connection = redis.connect();
        recordings = new RecordingStore(connection.async(), Clock.systemUTC());
        s3Config = new S3Config(s3Server.endpoint(), "us-east-1", "recordings", "rec/", "access", "secret-secret", true, 16);
        storage = S3Store.create(s3Config);
        storage.ensureBucket();
    }

    public MergerConfig config(Path workDir, Map<String, String> overrides) {
        Map<String, String> env = new java.util.HashMap<>(Map.of(
                "RECINGEST_MERGE_WORK_DIR", workDir.toString(),
                "RECINGEST_MERGE_POLL", "500ms",
                "RECINGEST_MERGE_VISIBILITY_TIMEOUT", "10s",
                "RECINGEST_MERGE_SHUTDOWN_TIMEOUT", "5s"));
        env.putAll(overrides);
        return MergerConfig.from(dev.recingest.config.Settings.of(env));
    }

    /** Records {@code chunks} under explicit seqs and stops the recording; the merge is not queued. */
    void record(RecordingId id, String contentType, Mode mode, String metadata, List<byte[]> chunks) {
        Outcomes.StartOutcome started = recordings.ledger().start(id, contentType, mode, metadata).join();
        assertEquals(Outcomes.StartKind.CREATED, started.kind());
        for (int seq = 0; seq < chunks.size(); seq++) {
            Outcomes.Assignment a = recordings.ledger().assign(id, started.epoch(), seq, SeqMode.EXPLICIT).join();
            assertEquals(Outcomes.AssignKind.NEW, a.kind());
            put(id, a.index(), chunks.get(seq));
            recordings.ledger().commit(id, a.index(), chunks.get(seq).length).join();
        }
        Outcomes.StopOutcome stopped = recordings.ledger().stop(id, started.epoch(), (long) chunks.size() - 1).join();
        assertEquals(Outcomes.StopKind.STOPPED, stopped.kind());
    }

    /**
     * Records each list of chunks as one part (PROTOCOL.md, "part") under explicit seqs, the way the gateway does:
     * the boundary is checked, marked in storage, then recorded in Redis, before the part's first chunk. Then stops.
     */
    void recordParts(RecordingId id, String contentType, Mode mode, List<List<byte[]>> parts) {
        Outcomes.StartOutcome started = recordings.ledger().start(id, contentType, mode, null).join();
        assertEquals(Outcomes.StartKind.CREATED, started.kind());
        int seq = 0;
        for (int p = 0; p < parts.size(); p++) {
            if (p > 0) {
                Outcomes.PartOutcome check = recordings.ledger().part(id, started.epoch(), false, -1, System.currentTimeMillis()).join();
                assertEquals(Outcomes.PartKind.NEW, check.kind());
                new dev.recingest.durable.PartLedger(storage).record(id, check.part(), check.firstSeq(), check.startedAt()).join();
                Outcomes.PartOutcome done = recordings.ledger().part(id, started.epoch(), true, check.firstSeq(), check.startedAt()).join();
                assertEquals(Outcomes.PartKind.NEW, done.kind());
                assertEquals(seq, done.firstSeq());
            }
            for (byte[] chunk : parts.get(p)) {
                Outcomes.Assignment a = recordings.ledger().assign(id, started.epoch(), seq, SeqMode.EXPLICIT).join();
                assertEquals(Outcomes.AssignKind.NEW, a.kind());
                put(id, a.index(), chunk);
                recordings.ledger().commit(id, a.index(), chunk.length).join();
                seq++;
            }
        }
        Outcomes.StopOutcome stopped = recordings.ledger().stop(id, started.epoch(), (long) seq - 1).join();
        assertEquals(Outcomes.StopKind.STOPPED, stopped.kind());
    }

    /** The admin API's re-merge: Redis made to agree with storage, the stop recorded again, a new job. */
    boolean remerge(RecordingId id) {
        dev.recingest.durable.EndLedger ledger = new dev.recingest.durable.EndLedger(storage);
        dev.recingest.durable.Endings endings = new dev.recingest.durable.Endings(recordings, storage, ledger,
                dev.recingest.events.EventPublisher.none(), java.time.Duration.ofDays(7), java.time.Clock.systemUTC());
        return new dev.recingest.durable.Remerges(recordings,
                new dev.recingest.durable.StorageReconciler(recordings.repairs(), storage, endings), ledger)
                .request(id).join();
    }

    public void put(RecordingId id, long index, byte[] bytes) {
        storage.putChunk(id, index, Unpooled.wrappedBuffer(bytes)).join();
    }

    /** Waits (bounded) for the recording to reach one of {@code states}. */
    public Recording awaitState(RecordingId id, Set<RecordingState> states, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        Recording last = null;
        while (System.nanoTime() < deadline) {
            last = recordings.get(id).join().orElse(null);
            if (last != null && states.contains(last.state())) {
                return last;
            }
            Thread.sleep(100);
        }
        return fail("recording " + id + " did not reach " + states + " within " + limit + "; last: " + last);
    }

    /** Downloads the output and asks FFprobe about it, as a user would. */
    public MediaInfo probeOutput(RecordingId id, Path dir) throws IOException {
        Path file = downloaded(id, dir);
        Files.write(file, storage.getBytes(storage.keys().output(id)).join());
        try {
            return MediaProbe.toInfo(FfmpegBinaries.locate().prober().probe(file, Duration.ofMinutes(1)));
        } catch (dev.recingest.media.ProbeException e) {
            throw new AssertionError("the output does not probe: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Where {@link #probeOutput} puts the downloaded MP4. */
    public static Path downloaded(RecordingId id, Path dir) {
        return dir.resolve(id.value() + "-downloaded.mp4");
    }

    /** After {@link #probeOutput}: a frame decodes at the middle of the MP4 (the figures are printed). */
    public static void assertSeeksToTheMiddle(RecordingId id, Path dir, MediaInfo out) {
        MediaFixtures.assertDecodesFrameAt(downloaded(id, dir), out.durationSeconds() / 2);
        System.out.printf(java.util.Locale.ROOT, "codec case %s: output %.3f s, video %s, audio %s, frame decoded at %.3f s%n",
                id, out.durationSeconds(), out.firstVideo().map(MediaInfo.StreamInfo::codecName).orElse("-"),
                out.firstAudio().map(MediaInfo.StreamInfo::codecName).orElse("-"), out.durationSeconds() / 2);
    }

    /** The real chunk store, except that chunks are read by {@code get} (which may call the real one). */
    ChunkStore chunksReadBy(BiFunction<RecordingId, Long, CompletableFuture<byte[]>> get) {
        S3Store s3 = storage;
        return new ChunkStore() {
            @Override
            public CompletableFuture<byte[]> getChunk(RecordingId id, long i) {
                return get.apply(id, i);
            }

            @Override
            public CompletableFuture<Void> putChunk(RecordingId id, long i, ByteBuf payload) {
                return s3.putChunk(id, i, payload);
            }

            @Override
            public CompletableFuture<SortedMap<Long, Long>> listChunks(RecordingId id) {
                return s3.listChunks(id);
            }

            @Override
            public CompletableFuture<dev.recingest.storage.StoredObjects> listFrom(RecordingId id, long from) {
                return s3.listFrom(id, from);
            }

            @Override
            public CompletableFuture<Void> deleteChunks(RecordingId id) {
                return s3.deleteChunks(id);
            }

            @Override
            public CompletableFuture<Void> ping() {
                return s3.ping();
            }
        };
    }

    /** Redis commands for what a test does to the queue by hand (raw jobs, consumers). */
    io.lettuce.core.cluster.api.sync.RedisClusterCommands<String, String> redisSync() {
        return connection.sync();
    }

    long pendingJobs() {
        var sync = connection.sync();
        return sync.xpending(dev.recingest.state.RecordingKeys.MERGE_JOBS, dev.recingest.state.MergeQueue.GROUP)
                .getCount();
    }

    @Override
    public void close() {
        connection.close();
        redis.close();
        storage.close();
        s3Server.close();
        if (redisServer != null) {
            redisServer.close();
        }
    }

    /** A set-up that makes a cluster, run with {@code redis} as its Redis. */
    @FunctionalInterface
    interface SetUp {
        void run() throws Exception;
    }

    /** Runs a test class's set-up with {@code redis} as the Redis of the clusters it makes. */
    static void onRedis(RedisUnderTest redis, SetUp setUp) throws Exception {
        nextRedis = redis;
        try {
            setUp.run();
        } finally {
            nextRedis = null;
        }
    }

    /**
     * Runs a set-up on the shared 3-master, 3-replica Redis Cluster of this JVM (emptied first), or skips the
     * class where the system has no redis-server to build one from.
     */
    static void onSharedRedisCluster(SetUp setUp) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(dev.recingest.embedded.RedisServerProcess.unavailable().isEmpty(),
                dev.recingest.embedded.RedisServerProcess.unavailable().orElse(""));
        onRedis(dev.recingest.embedded.LocalRedisCluster.shared(), setUp);
    }
}
