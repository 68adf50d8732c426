package dev.recingest.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recingest.auth.Tokens;
import dev.recingest.client.admin.AdminClient;
import dev.recingest.client.admin.RecordingStatus;
import dev.recingest.config.Settings;
import dev.recingest.embedded.EmbeddedRedis;
import dev.recingest.embedded.EmbeddedS3;
import dev.recingest.embedded.FreePort;
import dev.recingest.embedded.RedisUnderTest;
import dev.recingest.gateway.GatewayConfig;
import dev.recingest.gateway.GatewayServer;
import dev.recingest.protocol.Json;
import dev.recingest.protocol.RecordingId;
import dev.recingest.storage.S3Store;
import dev.recingest.testkit.Servers;
import dev.recingest.testkit.TestAuth;
import dev.recingest.testkit.Waits;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;

/**
 * What the failure tests run against: a real Redis (embedded, AOF on; or a Redis Cluster or Sentinel group a
 * test hands in) and a real S3 server (s3proxy) in this JVM, a merger on its own backends, and gateways either in this JVM
 * ({@link #startInProcessGateway}) or as separate JVMs of the launcher ({@link #startGatewayProcess}),
 * which a test can kill. Everything binds 127.0.0.1; {@link #close} stops all of it.
 */
final class FailureCluster implements AutoCloseable {

    static final String ACCESS_KEY = "failure-access";
    static final String SECRET_KEY = "failure-secret-key";
    static final TestAuth AUTH = new TestAuth("failure-tests-jwt-secret-0123456789abcdef", "failure-tests-admin-token");
    static final String ADMIN_TOKEN = AUTH.adminToken();

    final Path dir;
    /** The Redis (embedded, or handed in) and the S3 server, from the test kit. */
    final Servers servers;
    /** The embedded Redis this started, or null when it runs on one handed in. */
    final EmbeddedRedis redis;
    final EmbeddedS3 s3Server;
    final Settings settings;
    final Processes.Backends backends;
    final Tokens tokens = AUTH.tokens();
    private final AutoCloseable merger;
    private final List<AutoCloseable> started = new ArrayList<>();

    FailureCluster(Path dir) {
        this(dir, true);
    }

    /** @param withMerger false where merging would only burn CPU (chunks that are not media) */
    FailureCluster(Path dir, boolean withMerger) {
        this(dir, withMerger, Map.of());
    }

    /** @param mergerSettings more settings of the merger (RECINGEST_KEEP_CHUNKS, its visibility timeout, …) */
    FailureCluster(Path dir, boolean withMerger, Map<String, String> mergerSettings) {
        this(dir, null, withMerger, mergerSettings);
    }

    /** On {@code given} (a Redis Cluster, a Sentinel group), which the caller closes. */
    FailureCluster(Path dir, RedisUnderTest given, boolean withMerger, Map<String, String> mergerSettings) {
        this(dir, given, "127.0.0.1", withMerger, mergerSettings);
    }

    /**
     * @param given       the Redis to run on (the caller closes it), or null for an embedded one
     * @param s3Host      the address the S3 server binds (a gateway in another network namespace reaches it there)
     */
    FailureCluster(Path dir, RedisUnderTest given, String s3Host, boolean withMerger, Map<String, String> mergerSettings) {
        this.dir = dir;
        servers = Servers.start(dir, given, s3Host, ACCESS_KEY, SECRET_KEY);
        redis = servers.redisServer();
        s3Server = servers.s3Server();
        settings = Settings.of(backendSettings(s3Server.endpoint().toString()));
        backends = Processes.Backends.connect(settings, true);
        // A poll of 500 ms instead of 2 s (as the live tests set it): the merger's stop waits for its threads'
        // queue reads to return, and every test class stops one (about 1.8 s each with the default). New jobs
        // are read as they come either way.
        merger = withMerger ? MergerWiring.start(settings.with(Map.of(
                "RECINGEST_MERGE_WORK_DIR", dir.resolve("merge-work").toString(),
                "RECINGEST_MERGE_POLL", "500ms")).with(mergerSettings), backends)
                : () -> { };
    }

    /** Redis, S3 (at {@code s3Endpoint}) and auth settings, as a gateway of this cluster gets them. */
    Map<String, String> backendSettings(String s3Endpoint) {
        Map<String, String> m = servers.settings(AUTH.settings());
        m.put("RECINGEST_S3_ENDPOINT", s3Endpoint);
        return m;
    }

    /** A gateway in this JVM on its own Redis connection and S3 client, as the launcher wires one. */
    GatewayServer startInProcessGateway(Map<String, String> extra) {
        Settings s = settings.with(Map.of("RECINGEST_PORT", "0")).with(extra);
        Processes.Backends b = Processes.Backends.connect(s);
        GatewayServer g = GatewayServer.start(GatewayConfig.from(s), b.store(), b.s3(), b.s3(), b.registry());
        started.add(b);
        started.add(g);
        return g;
    }

    /**
     * Redis restarts from {@code snapshot} (everything written since is lost, as after a crash or a failover to
     * a lagging copy); returns once the gateway on {@code gatewayPort} is ready on it again and this cluster's own
     * connection answers.
     */
    void rollBackRedis(Path snapshot, int gatewayPort) throws InterruptedException {
        redis.restartFrom(snapshot);
        Waits.until(() -> httpStatus(httpBase(gatewayPort), "/readyz") == 200 && backends.connection().isOpen(),
                Duration.ofSeconds(30), "the gateway reaches Redis again");
        Waits.until(() -> {
            try {
                return "PONG".equals(backends.connection().sync().ping());
            } catch (RuntimeException notYet) {
                return false;
            }
        }, Duration.ofSeconds(30), "the test's connection reaches Redis again");
    }

    /** Closes nginx, then the cluster (its gateway JVMs with it); then fails if any gateway logged a leak. */
    static void closeBehind(Nginx nginx, FailureCluster cluster, List<GatewayProcess> gateways) {
        if (nginx != null) {
            nginx.close();
        }
        if (cluster != null) {
            cluster.close();
        }
        GatewayProcess.assertNoLeak(gateways);
    }

    /** Gateway JVMs started side by side (each takes seconds), in the order named; all ready when this returns. */
    List<GatewayProcess> startGatewayProcesses(List<String> names, Map<String, String> extraEnv) {
        List<java.util.concurrent.CompletableFuture<GatewayProcess>> starting = names.stream()
                .map(n -> java.util.concurrent.CompletableFuture.supplyAsync(() -> startGatewayProcess(n, extraEnv)))
                .toList();
        return new java.util.ArrayList<>(starting.stream().map(java.util.concurrent.CompletableFuture::join).toList());
    }

    /** A gateway as a separate JVM ({@code Main gateway}), ready when this returns. */
    GatewayProcess startGatewayProcess(String name, Map<String, String> extraEnv, String... jvmOptions) {
        return startGatewayProcess(name, FreePort.pick(), extraEnv, jvmOptions);
    }

    /** A gateway JVM on {@code port}, logging to {@code <name>.log}; ready when this returns. */
    GatewayProcess startGatewayProcess(String name, int port, Map<String, String> extraEnv, String... jvmOptions) {
        return startGatewayProcess(name, port, GatewayProcess.Jvm.TEST, extraEnv, jvmOptions);
    }

    /** A gateway JVM on {@code port} with {@code jvm}'s flags, logging to {@code <name>.log}; ready when this returns. */
    GatewayProcess startGatewayProcess(String name, int port, GatewayProcess.Jvm jvm, Map<String, String> extraEnv,
                                       String... jvmOptions) {
        Map<String, String> env = backendSettings(s3Server.endpoint().toString());
        env.putAll(extraEnv);
        GatewayProcess p = GatewayProcess.start(name, port, dir.resolve(name + ".log"), env, jvm, List.of(jvmOptions));
        synchronized (started) {
            started.add(p);
        }
        return p;
    }

    static URI ingestUri(int port) {
        return URI.create("ws://127.0.0.1:" + port + "/v1/ingest");
    }

    static URI httpBase(int port) {
        return URI.create("http://127.0.0.1:" + port);
    }

    String recorderToken() {
        return tokens.issueForPrefix("failure-tests", "", Duration.ofHours(1));
    }

    AdminClient admin(URI httpBase) {
        return new AdminClient(httpBase, ADMIN_TOKEN);
    }

    S3Store s3() {
        return backends.s3();
    }

    /** GET {@code path}; the status code, or -1 when the server does not answer. */
    static int httpStatus(URI base, String path) {
        try {
            return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()
                    .send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(5)).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (java.io.IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /**
     * The chunk objects of the recording are exactly 0..N-1, each byte for byte what the client sent
     * (SHA-256), none twice, and the manifest lists the same.
     */
    void assertChunksExact(String recordingId, List<byte[]> sent) throws Exception {
        RecordingId id = RecordingId.of(recordingId);
        S3Store s3 = s3();
        List<Long> expected = LongStream.range(0, sent.size()).boxed().toList();
        assertEquals(expected, List.copyOf(s3.listChunks(id).join().keySet()),
                recordingId + ": chunk objects are exactly 0..N-1, none twice");
        JsonNode manifest = Json.MAPPER.readTree(s3.getBytes(s3.keys().manifest(id)).join());
        assertEquals(sent.size(), manifest.get("chunks").size(), "manifest chunk count");
        for (int i = 0; i < sent.size(); i++) {
            byte[] stored = s3.getChunk(id, i).join();
            assertEquals(Media.sha256(sent.get(i)), Media.sha256(stored), recordingId + ": SHA-256 of chunk " + i);
            assertEquals(Media.sha256(sent.get(i)), manifest.get("chunks").get(i).get("sha256").asText());
        }
    }

    /** Waits for the merge and checks the MP4 with ffprobe: video and audio, as long as the source. */
    void assertCompletedMp4(AdminClient admin, String recordingId, double seconds) throws Exception {
        assertEquals(seconds, completedMp4Duration(admin, recordingId), 0.5, "MP4 duration");
        assertEquals(List.of("video", "audio"), Media.streamTypes(dir.resolve(recordingId + ".mp4")));
    }

    /**
     * Waits for the merge, checks that the MP4 has a video and an audio stream (in any order: an SDP may
     * list audio first), and returns its duration.
     */
    double completedMp4Duration(AdminClient admin, String recordingId) throws Exception {
        RecordingStatus status = admin.awaitFinal(recordingId, Duration.ofMinutes(3), Duration.ofMillis(250));
        assertTrue(status.isCompleted(), recordingId + " ended " + status.state() + ": " + status.error());
        Path mp4 = dir.resolve(recordingId + ".mp4");
        Files.write(mp4, s3().getBytes(status.output().key()).join());
        assertEquals(List.of("audio", "video"), Media.streamTypes(mp4).stream().sorted().toList(), recordingId + " streams");
        return Media.duration(mp4);
    }

    @Override
    public void close() {
        for (int i = started.size() - 1; i >= 0; i--) {
            Processes.closeQuietly(started.get(i));
        }
        Processes.closeQuietly(merger);
        backends.close();
        servers.close();
    }
}
