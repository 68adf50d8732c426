package dev.recingest.embedded;

import dev.recingest.config.RedisConfig;
import dev.recingest.config.Settings;
import java.util.Map;

/**
 * A Redis that tests run the system against, whatever its topology: a single server ({@link EmbeddedRedis}),
 * a Redis Cluster ({@link LocalRedisCluster}) or a Sentinel group ({@link LocalRedisSentinel}).
 */
public interface RedisUnderTest extends AutoCloseable {

    /** The settings a gateway or merger reaches it with: {@code RECINGEST_REDIS_URI} and any other {@code RECINGEST_REDIS_*}. */
    Map<String, String> settings();

    default RedisConfig config() {
        return RedisConfig.from(Settings.of(settings()));
    }

    @Override
    void close();
}
