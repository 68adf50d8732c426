package dev.recingest.state;

import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;

/**
 * One connection to Redis, whatever its topology. Its commands are Lettuce's {@code RedisCluster*Commands}, the
 * interfaces a single server's connection and a Redis Cluster's connection share: a key-based command goes to
 * the node that owns the key's slot, and what would only work on a single server (MULTI/EXEC, SELECT, commands
 * over several slots in one call) is not on them, so code written against them runs on both.
 *
 * <p>A connection is thread-safe and pipelines; a blocking read (XREADGROUP BLOCK) holds its node's link for
 * its duration, so blocking readers take a connection of their own.
 */
public final class RedisConnection implements AutoCloseable {

    private final StatefulConnection<String, String> connection;
    private final RedisClusterAsyncCommands<String, String> async;
    private final RedisClusterCommands<String, String> sync;

    RedisConnection(StatefulConnection<String, String> connection, RedisClusterAsyncCommands<String, String> async,
                    RedisClusterCommands<String, String> sync) {
        this.connection = connection;
        this.async = async;
        this.sync = sync;
    }

    public RedisClusterAsyncCommands<String, String> async() {
        return async;
    }

    public RedisClusterCommands<String, String> sync() {
        return sync;
    }

    public boolean isOpen() {
        return connection.isOpen();
    }

    @Override
    public void close() {
        connection.close();
    }
}
