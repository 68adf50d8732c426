package dev.recingest.events;

import dev.recingest.config.Setting;
import dev.recingest.config.SettingGroup;
import dev.recingest.config.Settings;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.RecordingStore;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link EventPublisher} onto the Redis Stream outbox ({@link Outbox}). Uses the process's shared
 * asynchronous connection: an XADD is one pipelined command, and while Redis is unreachable the
 * connection rejects commands at once, so a publish costs the caller nothing but a logged warning.
 */
public final class OutboxPublisher implements EventPublisher {

    public static final SettingGroup SETTINGS = new SettingGroup("webhook outbox");
    public static final Setting<Integer> OUTBOX_MAX = SETTINGS.integer("RECINGEST_WEBHOOK_OUTBOX_MAX",
            (int) Outbox.DEFAULT_MAX_LENGTH, "events the Redis outbox keeps (approximately); older ones are trimmed");

    private static final Logger LOG = LoggerFactory.getLogger(OutboxPublisher.class);

    private final RedisClusterAsyncCommands<String, String> redis;
    private final RecordingStore store;
    private final long maxLength;
    private final Clock clock;

    public OutboxPublisher(RedisClusterAsyncCommands<String, String> redis, RecordingStore store, long maxLength, Clock clock) {
        if (maxLength < 1) {
            throw new IllegalArgumentException("RECINGEST_WEBHOOK_OUTBOX_MAX must be at least 1");
        }
        this.redis = redis;
        this.store = store;
        this.maxLength = maxLength;
        this.clock = clock;
    }

    /** With the outbox length of {@code RECINGEST_WEBHOOK_OUTBOX_MAX}. */
    public static OutboxPublisher create(Settings settings, RedisClusterAsyncCommands<String, String> redis,
                                         RecordingStore store) {
        return new OutboxPublisher(redis, store,
                settings.get(OUTBOX_MAX), Clock.systemUTC());
    }

    @Override
    public CompletableFuture<Boolean> publish(RecordingEvent event) {
        try {
            return redis.xadd(Outbox.STREAM, XAddArgs.Builder.maxlen(maxLength).approximateTrimming(),
                            Map.of(Outbox.FIELD_ID, event.id(), Outbox.FIELD_TYPE, event.type().wire(),
                                    Outbox.FIELD_BODY, event.json()))
                    .toCompletableFuture()
                    .handle((entry, error) -> {
                        if (error != null) {
                            warn(event.type(), event.recordingId(), error);
                            return false;
                        }
                        LOG.atDebug().addKeyValue("recording", event.recordingId()).addKeyValue("type", event.type().wire())
                                .addKeyValue("eventId", event.id()).addKeyValue("entry", entry).log("event published");
                        return true;
                    });
        } catch (RuntimeException e) {
            warn(event.type(), event.recordingId(), e);
            return CompletableFuture.completedFuture(false);
        }
    }

    @Override
    public CompletableFuture<Boolean> announce(EventType type, RecordingId id) {
        try {
            return store.fields(id)
                    .thenCompose(meta -> meta == null || meta.isEmpty()
                            ? CompletableFuture.completedFuture(false)
                            : publish(RecordingEvent.of(type, id, meta, clock)))
                    .exceptionally(error -> {
                        warn(type, id, error);
                        return false;
                    });
        } catch (RuntimeException e) {
            warn(type, id, e);
            return CompletableFuture.completedFuture(false);
        }
    }

    private static void warn(EventType type, RecordingId id, Throwable error) {
        Throwable c = error;
        while (c.getCause() != null) {
            c = c.getCause();
        }
        LOG.atWarn().addKeyValue("recording", id).addKeyValue("type", type.wire())
                .addKeyValue("error", c.getClass().getSimpleName() + ": " + c.getMessage()).log("event not published");
    }
}
