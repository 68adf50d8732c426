package dev.recingest.testkit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.recingest.embedded.EmbeddedRedis;
import dev.recingest.embedded.EmbeddedS3;
import dev.recingest.embedded.LocalRedisCluster;
import dev.recingest.embedded.RedisServerProcess;
import dev.recingest.embedded.RedisUnderTest;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A Redis and an S3 server on loopback for one test class: an embedded Redis, or the one a test hands in (a Redis
 * Cluster or Sentinel group, which its owner closes), and s3proxy with a filesystem backend under the test's
 * directory ({@code redisServer} is the embedded Redis this started, null when it runs on one handed in; {@code redis}
 * the one everything talks to). {@link #close} stops what this started; the clients over them ({@link Backend}, a launcher's wiring)
 * are closed first by their owner.
 */
public record Servers(EmbeddedRedis redisServer, RedisUnderTest redis, EmbeddedS3 s3Server, String accessKey,
                      String secretKey) implements AutoCloseable {

    /** The Redis the servers started inside {@link #onRedis} use instead of an embedded one. */
    private static volatile RedisUnderTest nextRedis;

    /** An embedded Redis (or the one {@link #onRedis} hands in) and an S3 server on 127.0.0.1. */
    public static Servers start(Path dir, String accessKey, String secretKey) {
        return start(dir, null, "127.0.0.1", accessKey, secretKey);
    }

    /**
     * @param given  the Redis to run on (its owner closes it), or null for the one {@link #onRedis} hands in or else
     *               an embedded one under {@code dir/redis}
     * @param s3Host the address the S3 server binds (a gateway in another network namespace reaches it there)
     */
    public static Servers start(Path dir, RedisUnderTest given, String s3Host, String accessKey, String secretKey) {
        RedisUnderTest handedIn = given != null ? given : nextRedis;
        EmbeddedRedis embedded = handedIn == null ? EmbeddedRedis.start(dir.resolve("redis")) : null;
        try {
            EmbeddedS3 s3 = EmbeddedS3.start(dir.resolve("s3"), accessKey, secretKey, s3Host);
            return new Servers(embedded, handedIn == null ? embedded : handedIn, s3, accessKey, secretKey);
        } catch (RuntimeException e) {
            if (embedded != null) {
                embedded.close();
            }
            throw e;
        }
    }

    /**
     * The settings a gateway or merger reaches these servers with ({@code RECINGEST_REDIS_*}, the S3 endpoint, bucket
     * and keys), plus {@code more}.
     */
    public Map<String, String> settings(Map<String, String> more) {
        Map<String, String> m = new HashMap<>(redis.settings());
        m.put("RECINGEST_S3_ENDPOINT", s3Server.endpoint().toString());
        m.put("RECINGEST_S3_BUCKET", Backend.BUCKET);
        m.put("AWS_ACCESS_KEY_ID", accessKey);
        m.put("AWS_SECRET_ACCESS_KEY", secretKey);
        m.putAll(more);
        return m;
    }

    @Override
    public void close() {
        s3Server.close();
        if (redisServer != null) {
            redisServer.close();
        }
    }

    /** A test class's set-up that makes servers. */
    @FunctionalInterface
    public interface SetUp<E extends Exception> {
        void run() throws E;
    }

    /** Runs a test class's set-up with {@code redis} as the Redis of the servers it starts. */
    public static <E extends Exception> void onRedis(RedisUnderTest redis, SetUp<E> setUp) throws E {
        nextRedis = redis;
        try {
            setUp.run();
        } finally {
            nextRedis = null;
        }
    }

    /**
     * Runs a test class's set-up on the shared 3-master, 3-replica Redis Cluster of this JVM (emptied first), or
     * skips the class where the system has no redis-server to build one from.
     */
    public static <E extends Exception> void onSharedRedisCluster(SetUp<E> setUp) throws E {
        assumeTrue(RedisServerProcess.unavailable().isEmpty(), RedisServerProcess.unavailable().orElse(""));
        onRedis(LocalRedisCluster.shared(), setUp);
    }
}
