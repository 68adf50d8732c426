package dev.recingest.gateway;

import dev.recingest.auth.Tokens;
import dev.recingest.config.Retention;
import dev.recingest.config.Settings;
import dev.recingest.embedded.EmbeddedRedis;
import dev.recingest.events.OutboxPublisher;
import dev.recingest.observability.Metrics;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.RecordingStore;
import dev.recingest.state.RedisConnection;
import dev.recingest.storage.S3Store;
import dev.recingest.testkit.Backend;
import dev.recingest.testkit.Servers;
import dev.recingest.testkit.TestAuth;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A real Redis, a real S3 server and one gateway on loopback, for one test class. The Redis is an embedded one,
 * or the one a test class that reruns a suite on another topology hands in ({@link #onSharedRedisCluster}).
 */
final class GatewayHarness implements AutoCloseable {

    static final String SECRET = TestAuth.DEFAULT.jwtSecret();
    static final String ADMIN = TestAuth.DEFAULT.adminToken();

    /** The kit's backend (servers and clients) the gateway runs on; the fields below name its parts. */
    final Backend backend;
    /** The embedded Redis this harness started, or null when it runs on one handed in ({@link Servers#onRedis}). */
    final EmbeddedRedis redis;
    final S3Store s3;
    final RedisConnection connection;
    final RecordingStore store;
    final Tokens tokens = TestAuth.DEFAULT.tokens();
    final GatewayServer gateway;
    /** The gateway's own S3 client, when it reaches the S3 server another way than the test ({@link #s3}). */
    private final S3Store gatewayS3;
    private final Settings settings;
    /** Redis connections of the gateways {@link #anotherGateway} started. */
    private final java.util.List<RedisConnection> others = new java.util.ArrayList<>();

    GatewayHarness(Path dir, Map<String, String> settings) {
        this(dir, settings, dev.recingest.gateway.web.WebConfig.moduleOnly(), UnaryOperator.identity());
    }

    /** @param web what the gateway serves to browsers besides the API (the demo page, development tokens) */
    GatewayHarness(Path dir, Map<String, String> settings, dev.recingest.gateway.web.WebConfig web) {
        this(dir, settings, web, UnaryOperator.identity());
    }

    /** @param gatewayS3Endpoint where the gateway finds the S3 server, given its address (a proxy in front of it) */
    GatewayHarness(Path dir, Map<String, String> settings, UnaryOperator<URI> gatewayS3Endpoint) {
        this(dir, settings, dev.recingest.gateway.web.WebConfig.moduleOnly(), gatewayS3Endpoint);
    }

    private GatewayHarness(Path dir, Map<String, String> settings, dev.recingest.gateway.web.WebConfig web,
                           UnaryOperator<URI> gatewayS3Endpoint) {
        Servers servers = Servers.start(dir, Backend.ACCESS_KEY, Backend.SECRET_KEY);
        // Presigned URLs name "localhost" where the clients use 127.0.0.1, as a public endpoint would.
        URI s3Endpoint = servers.s3Server().endpoint();
        backend = Backend.over(servers, "", 64, URI.create("http://localhost:" + s3Endpoint.getPort()));
        redis = servers.redisServer();
        s3 = backend.s3;
        URI gatewayEndpoint = gatewayS3Endpoint.apply(s3Endpoint);
        gatewayS3 = gatewayEndpoint.equals(s3Endpoint) ? s3 : S3Store.create(backend.s3ConfigAt(gatewayEndpoint));
        connection = backend.connection;
        store = backend.store;
        Settings s = Settings.of(TestAuth.DEFAULT.settings()).with(Map.of(
                "RECINGEST_PORT", "0",
                "RECINGEST_MAX_CHUNK_BYTES", "1MiB",
                "RECINGEST_WINDOW_BYTES", "4MiB")).with(settings);
        this.settings = s;
        gateway = GatewayServer.start(GatewayConfig.from(s), store, gatewayS3, gatewayS3, Metrics.newRegistry(),
                OutboxPublisher.create(s, connection.async(), store), Retention.from(s), web);
    }

    /**
     * One more gateway on the same Redis and S3 server, with its own Redis connection and settings: where a
     * client resumes after its gateway went away. The caller closes it.
     */
    GatewayServer anotherGateway() {
        var own = backend.redis.connect();
        RecordingStore otherStore = new RecordingStore(own.async(), Clock.systemUTC());
        GatewayServer other = GatewayServer.start(GatewayConfig.from(settings), otherStore, gatewayS3, gatewayS3,
                Metrics.newRegistry(), OutboxPublisher.create(settings, own.async(), otherStore), Retention.from(settings),
                dev.recingest.gateway.web.WebConfig.moduleOnly());
        others.add(own);
        return other;
    }

    URI ingestUri() {
        return URI.create("ws://127.0.0.1:" + gateway.port() + "/v1/ingest");
    }

    URI httpUri(String path) {
        return URI.create("http://127.0.0.1:" + gateway.port() + path);
    }

    String token(String recordingId) {
        return tokens.issueForRecording("test", recordingId, Duration.ofMinutes(10));
    }

    /** A connection authenticated for {@code recordingId} with the upgrade header. */
    TestSocket open(String recordingId) {
        return TestSocket.open(ingestUri(), token(recordingId));
    }

    /**
     * A sample from /metrics, named as Prometheus prints it (with its labels, if any), or 0 when absent.
     * Asked on a connection of its own with {@code Connection: close}: a pooled keep-alive connection would
     * later be closed by the request deadline, and count as a timeout.
     */
    double metric(String sample) {
        try (WireSocket w = WireSocket.connect(gateway.port())) {
            w.raw("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String body = new String(w.readAll(), java.nio.charset.StandardCharsets.UTF_8);
            return body.lines().filter(l -> l.startsWith(sample + " ")).findFirst()
                    .map(l -> Double.parseDouble(l.substring(sample.length() + 1).trim())).orElse(0.0);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    byte[] storedChunk(String recordingId, long index) {
        return s3.getChunk(RecordingId.of(recordingId), index).join();
    }

    @Override
    public void close() {
        gateway.close();
        others.forEach(RedisConnection::close);
        if (gatewayS3 != s3) {
            gatewayS3.close();
        }
        backend.close();
    }

    /**
     * Runs a test class's set-up on the shared 3-master, 3-replica Redis Cluster of this JVM (emptied first), or
     * skips the class where the system has no redis-server to build one from.
     */
    static void onSharedRedisCluster(Runnable setUp) {
        Servers.onSharedRedisCluster(setUp::run);
    }
}
