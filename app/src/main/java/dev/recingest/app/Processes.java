package dev.recingest.app;

import dev.recingest.config.RedisConfig;
import dev.recingest.config.S3Config;
import dev.recingest.config.Settings;
import dev.recingest.events.EventPublisher;
import dev.recingest.events.OutboxPublisher;
import dev.recingest.observability.Metrics;
import dev.recingest.state.RecordingStore;
import dev.recingest.state.RedisConnections;
import dev.recingest.storage.S3Store;
import dev.recingest.webhook.WebhookConfig;
import dev.recingest.webhook.WebhookDelivery;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The production processes: a gateway or a merger against configured Redis and S3, until SIGTERM. */
final class Processes {

    private static final Logger LOG = LoggerFactory.getLogger(Processes.class);

    private Processes() {
    }

    /** Shared connections of one process, closed in reverse order; {@code events} is the webhook outbox. */
    record Backends(RedisConnections redis, StatefulRedisConnection<String, String> connection, RecordingStore store,
                    S3Store s3, PrometheusMeterRegistry registry, EventPublisher events) implements AutoCloseable {

        static Backends connect(Settings settings) {
            RedisConfig redisConfig = RedisConfig.from(settings);
            S3Config s3Config = S3Config.from(settings);
            LOG.info("event=backends redis={} s3={}", redisConfig, s3Config);
            RedisConnections redis = new RedisConnections(redisConfig);
            StatefulRedisConnection<String, String> connection = redis.connect();
            RecordingStore store = new RecordingStore(connection.async(), Clock.systemUTC());
            return new Backends(redis, connection, store, S3Store.create(s3Config), Metrics.newRegistry(),
                    OutboxPublisher.create(settings, connection.async(), store));
        }

        @Override
        public void close() {
            s3.close();
            connection.close();
            redis.close();
        }
    }

    static int runGateway(Settings settings) throws InterruptedException {
        GatewayNode gateway = GatewayNode.start(settings);
        awaitSigterm(gateway::drain);
        return 0;
    }

    static int runMerger(Settings settings) throws InterruptedException {
        Backends b = Backends.connect(settings);
        MetricsHttpServer metrics = new MetricsHttpServer(settings.string("RECINGEST_HOST", "127.0.0.1"),
                settings.integer("RECINGEST_METRICS_PORT", 9091), b.registry());
        WebhookDelivery webhooks = WebhookDelivery.start(WebhookConfig.from(settings), b.redis(), b.registry());
        AutoCloseable merger = MergerWiring.start(settings, b);
        LOG.info("event=merger-running metricsPort={}", metrics.port());
        awaitSigterm(() -> {
            closeQuietly(merger);
            closeQuietly(webhooks);
            metrics.close();
            b.close();
        });
        return 0;
    }

    static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            LOG.warn("event=close-failed what={} error={}", c, e.toString());
        }
    }

    /**
     * Blocks until the JVM is asked to stop (SIGTERM, Ctrl-C); the shutdown hook runs {@code teardown}
     * to its end before the JVM exits, so a drain can finish its writes in flight.
     */
    static void awaitSigterm(Runnable teardown) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("event=shutdown-requested");
            try {
                teardown.run();
            } finally {
                done.countDown();
            }
        }, "shutdown"));
        done.await();
    }
}
