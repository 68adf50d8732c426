package dev.recingest.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recingest.config.RedisConfig;
import dev.recingest.config.Settings;
import dev.recingest.embedded.EmbeddedRedis;
import dev.recingest.events.EventType;
import dev.recingest.events.Outbox;
import dev.recingest.events.OutboxPublisher;
import dev.recingest.protocol.Json;
import dev.recingest.protocol.Mode;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.RecordingStore;
import dev.recingest.state.RedisConnection;
import dev.recingest.state.RedisConnections;
import dev.recingest.testkit.Waits;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Delivery against a real Redis and real HTTP receivers on loopback. */
class WebhookDeliveryIT {

    static final String SECRET = "webhook-secret-for-tests";
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    static Path dir;
    static EmbeddedRedis redisServer;
    static RedisConnections redis;
    static RedisConnection connection;
    static RecordingStore store;
    static OutboxPublisher publisher;

    @BeforeAll
    static void up() {
        redisServer = EmbeddedRedis.start(dir.resolve("redis"));
        redis = new RedisConnections(new RedisConfig(redisServer.uri()));
        connection = redis.connect();
        store = new RecordingStore(connection.async(), Clock.systemUTC());
        publisher = OutboxPublisher.create(Settings.of(Map.of()), connection.async(), store);
    }

    @AfterAll
    static void down() {
        connection.close();
        redis.close();
        redisServer.close();
    }

    static WebhookConfig config(List<Receiver> receivers, Map<String, String> more) {
        Map<String, String> env = new HashMap<>(Map.of(
                "RECINGEST_WEBHOOK_URLS", String.join(",", receivers.stream().map(r -> r.url().toString()).toList()),
                "RECINGEST_WEBHOOK_SECRET", SECRET,
                "RECINGEST_WEBHOOK_TIMEOUT", "1s",
                "RECINGEST_WEBHOOK_RETRY_BASE", "200ms",
                "RECINGEST_WEBHOOK_POLL", "200ms"));
        env.putAll(more);
        return WebhookConfig.from(Settings.of(env));
    }

    @Test
    void aSignedEventReachesEveryUrlAndAFailingReceiverGetsItOnItsThirdAttempt() throws Exception {
        RecordingId id = RecordingId.of("hook-1");
        store.ledger().start(id, "video/webm;codecs=vp8,opus", Mode.STREAM, "{\"room\":\"42\"}").join();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (Receiver healthy = new Receiver(0); Receiver flaky = new Receiver(2)) {
            WebhookConfig config = config(List.of(healthy, flaky), Map.of());
            try (WebhookDelivery delivery = WebhookDelivery.start(config, redis, registry)) {
                awaitGroups(config);
                assertTrue(publisher.announce(EventType.STARTED, id).get(10, TimeUnit.SECONDS));

                await(() -> flaky.requests().size() >= 3, "three attempts at the flaky receiver");
                await(() -> pending(config) == 0, "no event left pending");
                assertEquals(1, healthy.requests().size(), "the healthy receiver got the event once");
                assertEquals(3, flaky.requests().size(), "two failures, then accepted; nothing after");

                Receiver.Request first = healthy.requests().get(0);
                assertTrue(Signature.verify(SECRET, first.body(), first.header(Signature.HEADER)),
                        "HMAC-SHA256 of the body with the secret");
                assertFalse(Signature.verify("another-secret-entirely", first.body(), first.header(Signature.HEADER)));
                JsonNode event = Json.MAPPER.readTree(first.body());
                assertEquals("recording.started", event.get("type").asText());
                assertEquals(first.header("X-Recingest-Event-Id"), event.get("id").asText());
                assertEquals("recording.started", first.header("X-Recingest-Event"));
                assertTrue(first.header("X-Recingest-Timestamp").matches("\\d{10}"));
                assertEquals("hook-1", event.get("recording").get("recordingId").asText());
                assertEquals("RECORDING", event.get("recording").get("state").asText());
                assertEquals("42", event.get("recording").get("metadata").get("room").asText());
                assertTrue(event.hasNonNull("occurredAt") && event.get("recording").hasNonNull("createdAt"));

                for (int i = 0; i < 3; i++) {
                    Receiver.Request r = flaky.requests().get(i);
                    assertEquals(Integer.toString(i + 1), r.header("X-Recingest-Attempt"));
                    assertEquals(event.get("id").asText(), r.header("X-Recingest-Event-Id"), "one event id for dedupe");
                    assertTrue(Signature.verify(SECRET, r.body(), r.header(Signature.HEADER)));
                    assertEquals(new String(first.body(), StandardCharsets.UTF_8),
                            new String(r.body(), StandardCharsets.UTF_8), "every attempt sends the same body");
                }
                assertEquals(2.0, count(registry, "delivered"));
                assertEquals(2.0, count(registry, "retried"));
            }
        }
    }

    @Test
    void anEventNoReceiverAcceptsIsGivenUpOnceTooOld() throws Exception {
        RecordingId id = RecordingId.of("hook-2");
        store.ledger().start(id, "video/mp2t", Mode.SEGMENTS, "").join();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (Receiver down = Receiver.failing()) {
            WebhookConfig config = config(List.of(down), Map.of("RECINGEST_WEBHOOK_MAX_AGE", "3s"));
            try (WebhookDelivery delivery = WebhookDelivery.start(config, redis, registry)) {
                awaitGroups(config);
                assertTrue(publisher.announce(EventType.STARTED, id).get(10, TimeUnit.SECONDS));
                await(() -> count(registry, "gave_up") == 1.0, "given up after the max age");
                assertEquals(0, pending(config), "nothing left to retry");
                int attempts = down.requests().size();
                assertTrue(attempts >= 2, "retried before giving up: " + attempts);
                System.out.println("webhook: gave up after " + attempts + " attempts within 3 s");
            }
        }
    }

    @Test
    void publishingNeverThrowsOrBlocksWhenRedisIsDown() throws Exception {
        EmbeddedRedis lost = EmbeddedRedis.start(dir.resolve("lost"));
        try (RedisConnections c = new RedisConnections(new RedisConfig(lost.uri()))) {
            RedisConnection conn = c.connect();
            RecordingStore s = new RecordingStore(conn.async(), Clock.systemUTC());
            OutboxPublisher p = OutboxPublisher.create(Settings.of(Map.of()), conn.async(), s);
            RecordingId id = RecordingId.of("hook-3");
            s.ledger().start(id, "video/mp2t", Mode.SEGMENTS, "").join();
            lost.close();
            // Both answer false (and log) instead of failing; the caller never waits on them.
            assertFalse(p.announce(EventType.STOPPED, id).get(15, TimeUnit.SECONDS));
            assertFalse(p.publish(dev.recingest.events.RecordingEvent.of(EventType.STOPPED, id,
                    Map.of("state", "STOPPED", "stoppedAt", "1700000000000"), Clock.systemUTC())).get(15, TimeUnit.SECONDS));
            conn.close();
        }
    }

    private static double count(SimpleMeterRegistry registry, String outcome) {
        return registry.get("recingest.webhook.deliveries").tag("outcome", outcome).counter().count();
    }

    private static void awaitGroups(WebhookConfig config) throws InterruptedException {
        // Until a delivery lane creates its group (with MKSTREAM) the stream does not exist: XINFO says so
        // with an error, which here only means "not yet".
        await(() -> {
            try {
                String groups = connection.sync().xinfoGroups(Outbox.STREAM).toString();
                return config.urls().stream().allMatch(u -> groups.contains(DeliveryLane.groupOf(u)));
            } catch (io.lettuce.core.RedisCommandExecutionException e) {
                return false;
            }
        }, "consumer groups created");
    }

    private static long pending(WebhookConfig config) {
        return config.urls().stream().mapToLong(u -> connection.sync()
                .xpending(Outbox.STREAM, DeliveryLane.groupOf(u)).getCount()).sum();
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        Waits.until(condition, WAIT, what);
    }
}
