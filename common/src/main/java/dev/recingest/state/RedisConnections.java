package dev.recingest.state;

import dev.recingest.config.RedisConfig;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.SslOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the Lettuce client for the Redis a {@link RedisConfig} names ({@link RedisTopology}): a
 * {@link RedisClient} for a single server or a Sentinel group's master, a {@link RedisClusterClient} for a
 * Redis Cluster. Every connection it makes is a {@link RedisConnection}, the same type for all three.
 *
 * <p>While Redis is unreachable, commands fail at once instead of queueing without bound (REJECT_COMMANDS),
 * and every command has a timeout, so a client gets a retryable error rather than a chunk held forever;
 * Lettuce reconnects in the background. Behind Sentinel, every reconnect asks the Sentinels for the master
 * again, which is how a failover is followed (Sentinel also closes the clients of a demoted master). On a
 * Cluster, reads and writes go to the master of each slot (Lettuce's default), and the slot map is refreshed
 * when Redis redirects a command (MOVED, ASK), when a node stays unreachable, and every
 * {@link #TOPOLOGY_REFRESH_PERIOD}: a replica promoted after its master died is found within about a second
 * of the promotion.
 */
public final class RedisConnections implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RedisConnections.class);

    public static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(5);
    /** How often a cluster client re-reads the slot map even when nothing told it to. */
    public static final Duration TOPOLOGY_REFRESH_PERIOD = Duration.ofSeconds(30);
    /**
     * The least time between two refreshes that an event triggers (Lettuce's default is 30 s): while a dead
     * master's replica is being promoted, every failed reconnect is a trigger, and the refresh that finds the
     * promotion must not wait half a minute behind the one that came too early.
     */
    public static final Duration ADAPTIVE_REFRESH_RATE_LIMIT = Duration.ofSeconds(1);
    /**
     * Reconnect attempts back off from 1 ms to at most this (Lettuce's default: 30 s). Each attempt is also what
     * triggers a cluster client's refresh, so a long back-off delays finding the replica promoted meanwhile; an
     * attempt against a dead address costs a refused connection.
     */
    public static final Duration MAX_RECONNECT_DELAY = Duration.ofSeconds(1);
    private static final int REQUEST_QUEUE = 100_000;

    private final RedisTopology topology;
    private final ClientResources resources;
    private final RedisClient single;
    private final RedisClusterClient cluster;

    public RedisConnections(RedisConfig config) {
        this.topology = RedisTopology.of(config);
        SslOptions ssl = sslOptions(config.tls());
        this.resources = DefaultClientResources.builder()
                .reconnectDelay(() -> Delay.exponential(Duration.ofMillis(1), MAX_RECONNECT_DELAY, 2, TimeUnit.MILLISECONDS))
                .build();
        if (topology.kind() == RedisTopology.Kind.CLUSTER) {
            this.single = null;
            this.cluster = RedisClusterClient.create(resources, topology.uris());
            ClusterClientOptions.Builder options = ClusterClientOptions.builder()
                    .autoReconnect(true)
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                    .requestQueueSize(REQUEST_QUEUE)
                    .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT))
                    .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                            .enablePeriodicRefresh(TOPOLOGY_REFRESH_PERIOD)
                            .enableAllAdaptiveRefreshTriggers()
                            .adaptiveRefreshTriggersTimeout(ADAPTIVE_REFRESH_RATE_LIMIT)
                            .refreshTriggersReconnectAttempts(2)
                            .build());
            if (ssl != null) {
                options.sslOptions(ssl);
            }
            cluster.setOptions(options.build());
        } else {
            this.cluster = null;
            this.single = RedisClient.create(resources, topology.uris().get(0));
            ClientOptions.Builder options = ClientOptions.builder()
                    .autoReconnect(true)
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                    .requestQueueSize(REQUEST_QUEUE)
                    .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT));
            if (ssl != null) {
                options.sslOptions(ssl);
            }
            single.setOptions(options.build());
        }
        LOG.atInfo().addKeyValue("topology", topology.kind()).addKeyValue("nodes", topology.uris().size())
                .addKeyValue("tls", topology.uris().get(0).isSsl()).addKeyValue("redis", config.redacted())
                .log("Redis client created");
    }

    private static SslOptions sslOptions(RedisConfig.Tls tls) {
        if (!tls.configured()) {
            return null;
        }
        SslOptions.Builder b = SslOptions.builder().jdkSslProvider();
        if (tls.ca() != null) {
            b.trustManager(tls.ca().toFile());
        }
        if (tls.cert() != null) {
            b.keyManager(tls.cert().toFile(), tls.key().toFile(), null);
        }
        return b.build();
    }

    /** True when this talks to a Redis Cluster (slot-routed), false for a single server or Sentinel. */
    public boolean isCluster() {
        return cluster != null;
    }

    /**
     * A new connection; throws Lettuce's {@code RedisConnectionException} when Redis cannot be reached (for a
     * cluster: no seed node answers with the slot map).
     */
    public RedisConnection connect() {
        if (cluster != null) {
            StatefulRedisClusterConnection<String, String> c = cluster.connect(StringCodec.UTF8);
            return new RedisConnection(c, c.async(), c.sync());
        }
        StatefulRedisConnection<String, String> c = single.connect(StringCodec.UTF8);
        return new RedisConnection(c, c.async(), c.sync());
    }

    @Override
    public void close() {
        AbstractRedisClient client = cluster != null ? cluster : single;
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3000);
    }
}
