package dev.recingest.merge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recingest.config.Settings;
import dev.recingest.events.EventPublisher;
import dev.recingest.events.EventType;
import dev.recingest.events.Outbox;
import dev.recingest.events.OutboxPublisher;
import dev.recingest.events.RecordingEvent;
import dev.recingest.protocol.Mode;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.Recording;
import dev.recingest.state.RecordingKeys;
import dev.recingest.state.RecordingState;
import dev.recingest.state.RedisConnection;
import io.lettuce.core.Range;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The merger's side of at-least-once: an outcome is announced into the real outbox before the job is
 * acked; when the outbox cannot take it, the job stays pending and the next delivery announces it, under
 * the same event id. The Redis keys of the ended recording are set to expire.
 */
class AnnouncementIT {

    @TempDir
    static Path dir;

    @Test
    void anOutcomeTheOutboxMissedIsAnnouncedByTheNextDeliveryOfTheJob() throws Exception {
        try (TestCluster cluster = new TestCluster(dir);
             RedisConnection connection = cluster.redis.connect()) {
            OutboxPublisher outbox = OutboxPublisher.create(Settings.of(Map.of()), connection.async(), cluster.recordings);
            AtomicInteger refused = new AtomicInteger();
            EventPublisher firstTimeDown = new EventPublisher() {
                @Override
                public CompletableFuture<Boolean> publish(RecordingEvent event) {
                    return outbox.publish(event);
                }

                @Override
                public CompletableFuture<Boolean> announce(EventType type, RecordingId id) {
                    // As OutboxPublisher answers when Redis refuses the XADD.
                    return refused.getAndIncrement() == 0 ? CompletableFuture.completedFuture(false) : outbox.announce(type, id);
                }
            };
            RecordingId id = RecordingId.of("announce-later");
            List<byte[]> chunks = MediaFixtures.readAll(MediaFixtures.tsSegments(Files.createDirectories(dir.resolve("a")), 4, 1));
            cluster.record(id, "video/mp2t", Mode.SEGMENTS, null, chunks);

            MergerConfig config = cluster.config(dir.resolve("work"), Map.of("RECINGEST_MERGE_VISIBILITY_TIMEOUT", "3s",
                    "RECINGEST_RETENTION_REDIS", "1h"));
            try (MergeWorker worker = MergeWorker.start(config, cluster.redis, cluster.recordings, cluster.storage,
                    new SimpleMeterRegistry(), firstTimeDown)) {
                cluster.recordings.mergeQueue().enqueue(id).join();
                Recording rec = cluster.awaitState(id, Set.of(RecordingState.COMPLETED, RecordingState.FAILED),
                        Duration.ofSeconds(60));
                assertEquals(RecordingState.COMPLETED, rec.state());
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (cluster.pendingJobs() > 0 && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                assertEquals(0, cluster.pendingJobs(), "acked once the outcome was announced");
            }
            assertTrue(refused.get() >= 2, "announced again after the first refusal");
            var completed = connection.sync().xrange(Outbox.STREAM, Range.unbounded()).stream()
                    .filter(m -> m.getBody().get(Outbox.FIELD_TYPE).equals("recording.completed"))
                    .filter(m -> m.getBody().get(Outbox.FIELD_BODY).contains("\"announce-later\"")).toList();
            assertEquals(1, completed.size(), "in the outbox once");
            assertEquals(RecordingEvent.of(EventType.COMPLETED, id, cluster.recordings.fields(id).join(),
                    java.time.Clock.systemUTC()).id(), completed.get(0).getBody().get(Outbox.FIELD_ID));
            assertEquals("COMPLETED", cluster.recordings.fields(id).join().get("announced"));
            long ttl = connection.sync().pttl(new RecordingKeys(id).meta());
            assertTrue(ttl > 0 && ttl <= Duration.ofHours(1).toMillis(), "RECINGEST_RETENTION_REDIS: " + ttl);
        }
    }
}
