package dev.recingest.state;

import dev.recingest.config.RedisConfig;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import java.time.Duration;

/**
 * Builds the Lettuce client. While Redis is unreachable, commands fail at once instead of queueing
 * without bound (REJECT_COMMANDS), and every command has a timeout, so a client gets a retryable error
 * rather than a chunk held forever; Lettuce reconnects in the background.
 */
public final class RedisConnections implements AutoCloseable {

    public static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(5);

    private final RedisClient client;

    public RedisConnections(RedisConfig config) {
        this.client = RedisClient.create(RedisURI.create(config.uri()));
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .requestQueueSize(100_000)
                .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT))
                .build());
    }

    public StatefulRedisConnection<String, String> connect() {
        return client.connect(StringCodec.UTF8);
    }

    @Override
    public void close() {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
