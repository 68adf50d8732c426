package dev.recingest.app;

import dev.recingest.config.RedisConfig;
import dev.recingest.config.S3Config;
import dev.recingest.config.Settings;
import dev.recingest.events.EventPublisher;
import dev.recingest.events.OutboxPublisher;
import dev.recingest.gateway.GatewayConfig;
import dev.recingest.observability.Metrics;
import dev.recingest.state.RecordingStore;
import dev.recingest.state.RedisConnection;
import dev.recingest.state.RedisConnections;
import dev.recingest.storage.S3Store;
import dev.recingest.webhook.WebhookConfig;
import dev.recingest.webhook.WebhookDelivery;
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
    record Backends(RedisConnections redis, RedisConnection connection, RecordingStore store,
                    S3Store s3, PrometheusMeterRegistry registry, EventPublisher events) implements AutoCloseable {

        /**
         * Connects to Redis and checks the S3 bucket; either one unreachable is a {@link StartupFailure}
         * naming its address and setting.
         */
        static Backends connect(Settings settings) {
            return connect(settings, false);
        }

        /** @param createBucket create the bucket when it is missing (embedded servers and tests only) */
        static Backends connect(Settings settings, boolean createBucket) {
            RedisConfig redisConfig = RedisConfig.from(settings);
            S3Config s3Config = S3Config.from(settings);
            LOG.atInfo().addKeyValue("redis", redisConfig).addKeyValue("s3", s3Config).log("backends configured");
            RedisConnections redis = new RedisConnections(redisConfig);
            RedisConnection connection;
            try {
                connection = redis.connect();
            } catch (RuntimeException e) {
                redis.close();
                throw new StartupFailure("cannot reach Redis at " + redisConfig.redacted() + " (" + RedisConfig.URI.env()
                        + "): " + rootMessage(e) + "; check that Redis runs there and that this host can reach it", e);
            }
            S3Store s3 = S3Store.create(s3Config);
            try {
                if (createBucket) {
                    s3.ensureBucket();
                }
                s3.ping().get(s3Config.callTimeout().toMillis() + 5000, java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                s3.close();
                connection.close();
                redis.close();
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                throw new StartupFailure("cannot use S3 bucket '" + s3Config.bucket() + "' at "
                        + (s3Config.endpoint() == null ? "AWS (region " + s3Config.region() + ")" : s3Config.endpoint())
                        + " (" + S3Config.ENDPOINT.env() + ", " + S3Config.BUCKET.env() + "): " + rootMessage(e)
                        + "; check the address, that the bucket exists and the credentials (AWS_ACCESS_KEY_ID / "
                        + "AWS_SECRET_ACCESS_KEY) may use it", e);
            }
            RecordingStore store = new RecordingStore(connection.async(), Clock.systemUTC());
            return new Backends(redis, connection, store, s3, Metrics.newRegistry(),
                    OutboxPublisher.create(settings, connection.async(), store));
        }

        private static String rootMessage(Throwable e) {
            Throwable t = e;
            while (t.getCause() != null && t.getCause() != t) {
                t = t.getCause();
            }
            String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage().replaceAll("\\s+", " ");
            return m.length() > 240 ? m.substring(0, 240) + "…" : m;
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
        if (logReady("gateway", settings)) {
            gateway.close();
            return 0;
        }
        awaitSigterm(gateway::drain);
        return 0;
    }

    /**
     * Logs {@code ready} with what the start cost this JVM (wall time since the process started, CPU time of
     * all its threads: a restarted gateway competes for the CPU with the resumes it receives); true when
     * {@code RECINGEST_EXIT_WHEN_READY} asks the process to stop here (a training run, a start-up measure).
     */
    static boolean logReady(String role, Settings settings) {
        ProcessHandle.Info self = ProcessHandle.current().info();
        long uptimeMs = self.startInstant().map(t -> java.time.Duration.between(t, java.time.Instant.now()).toMillis())
                .orElse(-1L);
        long cpuMs = self.totalCpuDuration().map(java.time.Duration::toMillis).orElse(-1L);
        boolean exit = settings.get(LauncherSettings.EXIT_WHEN_READY);
        LOG.atInfo().addKeyValue("role", role).addKeyValue("uptimeMs", uptimeMs).addKeyValue("cpuMs", cpuMs)
                .addKeyValue("exitWhenReady", exit).log("ready");
        return exit;
    }

    static int runMerger(Settings settings) throws InterruptedException {
        Backends b = Backends.connect(settings);
        MetricsHttpServer metrics = new MetricsHttpServer(settings.get(GatewayConfig.HOST),
                settings.get(LauncherSettings.METRICS_PORT), b.registry());
        WebhookDelivery webhooks = WebhookDelivery.start(WebhookConfig.from(settings), b.redis(), b.registry());
        AutoCloseable merger = MergerWiring.start(settings, b);
        LOG.atInfo().addKeyValue("metricsPort", metrics.port()).log("merger running");
        Runnable teardown = () -> {
            closeQuietly(merger);
            closeQuietly(webhooks);
            metrics.close();
            b.close();
        };
        if (logReady("merger", settings)) {
            teardown.run();
            return 0;
        }
        awaitSigterm(teardown);
        return 0;
    }

    static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            LOG.atWarn().addKeyValue("what", c).addKeyValue("error", e.toString()).log("close failed");
        }
    }

    /**
     * Blocks until the JVM is asked to stop (SIGTERM, Ctrl-C); the shutdown hook runs {@code teardown}
     * to its end before the JVM exits, so a drain can finish its writes in flight.
     */
    static void awaitSigterm(Runnable teardown) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("shutdown requested");
            try {
                teardown.run();
            } finally {
                done.countDown();
            }
        }, "shutdown"));
        done.await();
    }
}
