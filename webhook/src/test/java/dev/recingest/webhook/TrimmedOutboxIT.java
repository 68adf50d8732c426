package dev.recingest.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recingest.config.RedisConfig;
import dev.recingest.embedded.FreePort;
import dev.recingest.events.EventType;
import dev.recingest.events.OutboxPublisher;
import dev.recingest.events.RecordingEvent;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.RecordingStore;
import dev.recingest.state.RedisConnection;
import dev.recingest.state.RedisConnections;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10, item 11: the outbox is capped (RECINGEST_WEBHOOK_OUTBOX_MAX), so events a receiver has not got
 * when the cap is reached are trimmed away; {@code recingest_webhook_events_trimmed_total} must say how many.
 * Against Debian's Redis 7 server (the counters that make the count exact are Redis ≥ 7's); skipped where
 * there is no {@code redis-server} binary.
 */
class TrimmedOutboxIT {

    private static final Path REDIS_7 = Path.of("/usr/bin/redis-server");

    @TempDir
    Path dir;

    @Test
    void eventsTrimmedBeforeTheReceiverGotThemAreCounted() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(REDIS_7), "no " + REDIS_7 + ": skipping (apt install redis-server)");
        int port = FreePort.pick();
        Process redisServer = new ProcessBuilder(REDIS_7.toString(), "--port", Integer.toString(port), "--bind",
                "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
        try (RedisConnections redis = new RedisConnections(new RedisConfig("redis://127.0.0.1:" + port + awaitPort(port)));
             RedisConnection connection = redis.connect();
             Receiver receiver = new Receiver(0)) {
            RecordingStore store = new RecordingStore(connection.async(), Clock.systemUTC());
            // A cap of 100 (the stream trims whole nodes of 100 entries at a time, so about that many stay).
            OutboxPublisher publisher = new OutboxPublisher(connection.async(), store, 100, Clock.systemUTC());
            WebhookConfig config = WebhookDeliveryIT.config(List.of(receiver), Map.of());
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            WebhookDelivery first = WebhookDelivery.start(config, redis, registry);
            WebhookDeliveryIT.await(() -> groupExists(connection, config), "the URL's consumer group");
            first.close(); // delivery stops, as when every merger is down: events pile up and the cap trims them
            int published = 1000;
            for (int i = 0; i < published; i++) {
                assertTrue(publisher.publish(RecordingEvent.of(EventType.STARTED, RecordingId.of("trim-" + i),
                        Map.of("state", "RECORDING", "createdAt", Long.toString(1_700_000_000_000L + i),
                                "contentType", "video/mp2t"), Clock.systemUTC())).get(10, TimeUnit.SECONDS));
            }
            WebhookDelivery second = WebhookDelivery.start(config, redis, registry);
            try {
                WebhookDeliveryIT.await(() -> receiver.requests().size() + trimmed(registry) >= published,
                        "every event delivered or counted as trimmed");
                Thread.sleep(1000); // nothing counted twice afterwards
            } finally {
                second.close();
            }
            long delivered = receiver.requests().size();
            System.out.printf("webhook outbox: %d published with a cap of 100, %d delivered, %.0f counted trimmed%n",
                    published, delivered, trimmed(registry));
            assertTrue(delivered < published, "the cap trimmed some events: " + delivered + " delivered");
            assertEquals(published - delivered, (long) trimmed(registry), "every event is delivered or counted trimmed");
        } finally {
            redisServer.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static boolean groupExists(RedisConnection connection, WebhookConfig config) {
        try {
            return connection.sync().xinfoGroups(dev.recingest.events.Outbox.STREAM).toString()
                    .contains(DeliveryLane.groupOf(config.urls().get(0)));
        } catch (io.lettuce.core.RedisCommandExecutionException e) {
            return false;
        }
    }

    private static double trimmed(SimpleMeterRegistry registry) {
        var c = registry.find("recingest.webhook.events.trimmed").counter();
        return c == null ? 0 : c.count();
    }

    /** Waits until the server accepts connections; returns "" so it can sit in the URI expression. */
    private static String awaitPort(int port) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return "";
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("redis-server did not listen on " + port);
    }
}
