package dev.recingest.merge;

import dev.recingest.media.FfmpegBinaries;
import dev.recingest.protocol.Mode;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.Recording;
import dev.recingest.state.RecordingState;
import dev.recingest.state.RecordingStore;
import dev.recingest.state.RedisConnections;
import dev.recingest.storage.ChunkStore;
import dev.recingest.storage.S3Store;
import dev.recingest.testkit.Backend;
import dev.recingest.testkit.Servers;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;

/**
 * The test kit's {@link Backend} (a real Redis and a real S3 protocol server on loopback, the stores over them,
 * recordings written the way the gateway does) under the names the merger's tests use, and what only they need:
 * a merger's config, a re-merge, the output probed, the queue's state.
 */
public final class TestCluster implements AutoCloseable {

    public final Backend backend;
    public final RedisConnections redis;
    public final RecordingStore recordings;
    public final S3Store storage;
    private final dev.recingest.state.RedisConnection connection;

    public TestCluster(Path dir) {
        backend = Backend.over(Servers.start(dir, "access", "secret-secret"), "rec/", 16, null);
        redis = backend.redis;
        connection = backend.connection;
        recordings = backend.store;
        storage = backend.s3;
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

    /** A started merge worker on this cluster with {@link #config}{@code (workDir, settings)}; the caller closes it. */
    public MergeWorker startWorker(Path workDir, Map<String, String> settings, MeterRegistry registry) {
        return MergeWorker.start(config(workDir, settings), redis, recordings, storage, registry);
    }

    /** Records {@code chunks} under explicit seqs and stops the recording; the merge is not queued. */
    void record(RecordingId id, String contentType, Mode mode, String metadata, List<byte[]> chunks) {
        backend.writes.record(id, contentType, mode, metadata, chunks);
    }

    /** Records each list of chunks as one part, the way the gateway does ({@link dev.recingest.testkit.RecordingWriter}). */
    void recordParts(RecordingId id, String contentType, Mode mode, List<List<byte[]>> parts) {
        backend.writes.recordParts(id, contentType, mode, parts);
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
        backend.writes.put(id, index, bytes);
    }

    /** Waits (bounded) for the recording to reach one of {@code states}. */
    public Recording awaitState(RecordingId id, Set<RecordingState> states, Duration limit) throws InterruptedException {
        return backend.awaitState(id, states, limit);
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
        backend.close();
    }

    /**
     * Runs a set-up on the shared 3-master, 3-replica Redis Cluster of this JVM (emptied first), or skips the
     * class where the system has no redis-server to build one from.
     */
    static void onSharedRedisCluster(Servers.SetUp<Exception> setUp) throws Exception {
        Servers.onSharedRedisCluster(setUp);
    }
}
