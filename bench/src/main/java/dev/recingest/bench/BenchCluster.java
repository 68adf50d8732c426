package dev.recingest.bench;

import dev.recingest.auth.Tokens;
import dev.recingest.config.Retention;
import dev.recingest.config.Settings;
import dev.recingest.events.OutboxPublisher;
import dev.recingest.gateway.GatewayConfig;
import dev.recingest.gateway.GatewayServer;
import dev.recingest.observability.Metrics;
import dev.recingest.state.RecordingStore;
import dev.recingest.storage.S3Clients;
import dev.recingest.testkit.Backend;
import dev.recingest.testkit.Servers;
import dev.recingest.testkit.TestAuth;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * A real Redis, the S3 server and one gateway in this JVM on 127.0.0.1, with the gateway's defaults except
 * the per-connection chunk rate limit (off: the suite measures capacity, not policy). The direct-S3 baseline
 * gets its own S3 client built from the same config as the gateway's.
 */
final class BenchCluster implements AutoCloseable {

    static final String BUCKET = Backend.BUCKET;
    private static final TestAuth AUTH = new TestAuth("bench-secret-bench-secret-bench-secret-01", "bench-admin-token");
    static final String ACCESS = "bench-access";
    static final String S3_SECRET = "bench-s3-secret";

    final Path dir;
    /** The test kit's backend: Redis, the S3 server and the clients over them, closed in order. */
    final Backend backend;
    final GatewayServer gateway;
    final GatewayConfig gatewayConfig;
    private final PrometheusMeterRegistry gatewayMetrics = Metrics.newRegistry();
    private final Tokens tokens = AUTH.tokens();

    BenchCluster(Path dir) {
        this.dir = dir;
        backend = Backend.over(Servers.start(dir, ACCESS, S3_SECRET), "", Backend.defaultMaxConcurrency(), null);
        RecordingStore store = backend.store;
        Map<String, String> env = new HashMap<>(Map.of(
                "RECINGEST_MAX_CHUNK_BYTES", "2MiB",
                "RECINGEST_MAX_CHUNKS_PER_SECOND", "0"));
        // A RECINGEST_* variable of the bench's own environment (e.g. RECINGEST_GLOBAL_INFLIGHT_BYTES) tunes
        // the gateway under test; where it listens and its secrets stay the bench's.
        System.getenv().forEach((k, v) -> {
            if (k.startsWith("RECINGEST_")) {
                env.put(k, v);
            }
        });
        env.putAll(Map.of("RECINGEST_PORT", "0", "RECINGEST_HOST", "127.0.0.1"));
        env.putAll(AUTH.settings());
        Settings s = Settings.of(env);
        gatewayConfig = GatewayConfig.from(s);
        gateway = GatewayServer.start(gatewayConfig, store, backend.s3, backend.s3, gatewayMetrics,
                OutboxPublisher.create(s, backend.connection.async(), store), Retention.from(s));
    }

    URI ingestUri() {
        return URI.create("ws://127.0.0.1:" + gateway.port() + "/v1/ingest");
    }

    String token() {
        return tokens.issueForPrefix("bench", "", Duration.ofHours(6));
    }

    /** A separate S3 client for the baseline, configured like the gateway's. */
    S3AsyncClient directClient() {
        return S3Clients.async(backend.s3Config);
    }

    /**
     * Waits (at most {@code maxWait}) until the gateway holds no chunk in flight, so that one side's leftover
     * PUTs neither write into the next side's window nor race the wipe. Returns whether it drained.
     */
    boolean awaitGatewayIdle(Duration maxWait) throws InterruptedException {
        long deadline = System.nanoTime() + maxWait.toNanos();
        while (System.nanoTime() < deadline) {
            if (gatewayMetrics.get("recingest.inflight.bytes").gauge().value() == 0) {
                return true;
            }
            Thread.sleep(100);
        }
        return false;
    }

    /**
     * Deletes the stored objects under the bucket on disk, so that long runs do not fill the disk. Files the
     * S3 server removes meanwhile (its temporary upload files) are skipped, not an error.
     */
    void wipeObjects() {
        Path bucket = backend.servers.s3Server().dataDir().resolve(BUCKET);
        try {
            Files.walkFileTree(bucket, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    if (!d.equals(bucket)) {
                        try {
                            Files.deleteIfExists(d);
                        } catch (DirectoryNotEmptyException raced) {
                            // a file landed after the walk: the next wipe takes it
                        }
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        gateway.close();
        backend.close();
    }
}
