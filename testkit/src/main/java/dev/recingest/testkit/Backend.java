package dev.recingest.testkit;

import static org.junit.jupiter.api.Assertions.fail;

import dev.recingest.config.S3Config;
import dev.recingest.config.Settings;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.Recording;
import dev.recingest.state.RecordingState;
import dev.recingest.state.RecordingStore;
import dev.recingest.state.RedisConnection;
import dev.recingest.state.RedisConnections;
import dev.recingest.storage.S3Store;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * The backend a test runs against: the {@link Servers} and the clients over them (one Redis connection, the
 * recording store, the S3 store with its bucket made), and {@link #writes} to record the way the gateway does.
 * {@link #close} closes the clients, then the servers.
 */
public final class Backend implements AutoCloseable {

    public static final String BUCKET = "recordings";
    public static final String ACCESS_KEY = "test-access";
    public static final String SECRET_KEY = "test-secret-key";

    public final Servers servers;
    public final RedisConnections redis;
    public final RedisConnection connection;
    public final RecordingStore store;
    /** How {@link #s3} reaches the S3 server, for a test's own client (calls the store does not make). */
    public final S3Config s3Config;
    public final S3Store s3;
    public final RecordingWriter writes;

    private Backend(Servers servers, S3Config s3Config) {
        this.servers = servers;
        this.s3Config = s3Config;
        redis = new RedisConnections(servers.redis().config());
        connection = redis.connect();
        store = new RecordingStore(connection.async(), Clock.systemUTC());
        s3 = S3Store.create(s3Config);
        s3.ensureBucket();
        writes = new RecordingWriter(store, s3);
    }

    /** Servers of its own under {@code dir}, the S3 store with the default settings. */
    public static Backend start(Path dir) {
        return over(Servers.start(dir, ACCESS_KEY, SECRET_KEY), "", defaultMaxConcurrency(), null);
    }

    /**
     * The clients over {@code servers}, which this then owns (closes).
     *
     * @param prefix         the key prefix of every object (S3Config's)
     * @param publicEndpoint the S3 endpoint presigned URLs name, or null for the one the store uses
     */
    public static Backend over(Servers servers, String prefix, int maxConcurrency, URI publicEndpoint) {
        S3Config config = new S3Config(servers.s3Server().endpoint(), "us-east-1", BUCKET, prefix, servers.accessKey(),
                servers.secretKey(), true, maxConcurrency, publicEndpoint);
        try {
            return new Backend(servers, config);
        } catch (RuntimeException e) {
            servers.close();
            throw e;
        }
    }

    /** The S3 client settings' default concurrency, as a gateway gets it without settings. */
    public static int defaultMaxConcurrency() {
        return S3Config.from(Settings.of(Map.of())).maxConcurrency();
    }

    /** {@link #s3Config} with another endpoint (a proxy in front of the S3 server). */
    public S3Config s3ConfigAt(URI endpoint) {
        S3Config c = s3Config;
        return new S3Config(endpoint, c.region(), c.bucket(), c.prefix(), c.accessKey(), c.secretKey(), c.pathStyle(),
                c.maxConcurrency(), c.publicEndpoint());
    }

    /** The settings of a process (gateway, merger) that uses these servers, plus {@code more}. */
    public Map<String, String> env(Map<String, String> more) {
        return servers.settings(more);
    }

    /** Waits (bounded) for the recording to reach one of {@code states}. */
    public Recording awaitState(RecordingId id, Set<RecordingState> states, Duration limit) throws InterruptedException {
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

    @Override
    public void close() {
        connection.close();
        redis.close();
        s3.close();
        servers.close();
    }
}
