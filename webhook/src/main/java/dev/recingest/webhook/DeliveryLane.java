package dev.recingest.webhook;

import dev.recingest.events.Outbox;
import dev.recingest.state.RedisConnection;
import dev.recingest.state.RedisConnections;
import io.lettuce.core.Consumer;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisBusyException;
import io.lettuce.core.RedisException;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XClaimArgs;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XPendingArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.models.stream.PendingMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivery to one URL, on one thread with a Redis connection of its own (XREADGROUP blocks it). Each
 * round first retries the pending events whose backoff has passed, then reads new ones; a round's
 * events are POSTed concurrently, and each is acked only when the receiver answered 2xx.
 */
final class DeliveryLane implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(DeliveryLane.class);
    private static final long REDIS_BACKOFF_MILLIS = 1000;

    private final WebhookConfig config;
    private final URI url;
    private final String group;
    private final String consumer;
    private final RedisConnections redis;
    private final HttpClient http;
    private final WebhookMetrics metrics;
    private final Clock clock;
    private final TrimWatch trims;
    private volatile boolean running = true;

    DeliveryLane(WebhookConfig config, URI url, String consumer, RedisConnections redis, HttpClient http,
                 WebhookMetrics metrics, Clock clock) {
        this.config = config;
        this.url = url;
        this.group = groupOf(url);
        this.consumer = consumer;
        this.redis = redis;
        this.http = http;
        this.metrics = metrics;
        this.clock = clock;
        this.trims = new TrimWatch(group);
    }

    /** The consumer group of a URL: a new URL starts with the events published after it first ran. */
    static String groupOf(URI url) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(url.toString().getBytes(StandardCharsets.UTF_8));
            return "webhook-" + HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    void stop() {
        running = false;
    }

    @Override
    public void run() {
        while (running) {
            try (RedisConnection connection = redis.connect()) {
                RedisClusterCommands<String, String> sync = connection.sync();
                ensureGroup(sync);
                while (running) {
                    countTrimmed(sync);
                    retryDue(sync);
                    List<StreamMessage<String, String>> fresh = sync.xreadgroup(Consumer.from(group, consumer),
                            XReadArgs.Builder.block(config.poll()).count(config.batch()),
                            XReadArgs.StreamOffset.lastConsumed(Outbox.STREAM));
                    List<Attempt> attempts = new ArrayList<>();
                    if (fresh != null) {
                        fresh.forEach(m -> attempts.add(new Attempt(m, 1)));
                    }
                    deliver(sync, attempts);
                }
            } catch (RedisException e) {
                // Unreachable, or restarted without its data (NOGROUP): reconnect and make the group again.
                if (running) {
                    LOG.atWarn().addKeyValue("url", WebhookConfig.redact(url)).addKeyValue("error", e.toString())
                            .log("webhook outbox unavailable");
                    pause();
                }
            } catch (RuntimeException e) {
                LOG.atError().addKeyValue("url", WebhookConfig.redact(url)).setCause(e).log("webhook lane failed");
                pause();
            }
        }
    }

    private void ensureGroup(RedisClusterCommands<String, String> sync) {
        try {
            sync.xgroupCreate(XReadArgs.StreamOffset.from(Outbox.STREAM, "$"), group, XGroupCreateArgs.Builder.mkstream());
            LOG.atInfo().addKeyValue("url", WebhookConfig.redact(url)).addKeyValue("group", group)
                    .log("webhook group created");
        } catch (RedisBusyException e) {
            // BUSYGROUP: the usual case; the group keeps its progress across restarts.
        }
    }

    /** Events the outbox cap removed before this URL's group read them are counted, and logged. */
    private void countTrimmed(RedisClusterCommands<String, String> sync) {
        long trimmed = trims.newlyTrimmed(sync);
        if (trimmed > 0) {
            metrics.trimmed(trimmed);
            LOG.atWarn().addKeyValue("url", WebhookConfig.redact(url)).addKeyValue("count", trimmed)
                    .addKeyValue("reason", "outbox-cap-reached-before-delivery").log("webhook events trimmed");
        }
    }

    private record Attempt(StreamMessage<String, String> message, long number) {
    }

    /** Claims and delivers pending events whose backoff has passed; gives up those past the max age. */
    private void retryDue(RedisClusterCommands<String, String> sync) {
        List<PendingMessage> pending = sync.xpending(Outbox.STREAM, XPendingArgs.Builder
                .xpending(group, Range.unbounded(), Limit.from(config.batch() * 16L)).idle(config.backoff(1)));
        List<Attempt> due = new ArrayList<>();
        for (PendingMessage p : pending == null ? List.<PendingMessage>of() : pending) {
            if (due.size() >= config.batch()) {
                break;
            }
            if (tooOld(p.getId())) {
                giveUp(sync, p.getId(), p.getRedeliveryCount());
                continue;
            }
            long backoff = config.backoff(p.getRedeliveryCount()).toMillis();
            if (p.getMsSinceLastDelivery() < backoff) {
                continue;
            }
            // Min-idle makes the claim atomic across processes: whoever claims first resets the idle time.
            List<StreamMessage<String, String>> claimed = sync.xclaim(Outbox.STREAM, Consumer.from(group, consumer),
                    XClaimArgs.Builder.minIdleTime(backoff), p.getId());
            if (claimed != null && !claimed.isEmpty()) {
                due.add(new Attempt(claimed.get(0), p.getRedeliveryCount() + 1));
            }
        }
        deliver(sync, due);
    }

    private void deliver(RedisClusterCommands<String, String> sync, List<Attempt> attempts) {
        List<CompletableFuture<Void>> inFlight = new ArrayList<>();
        for (Attempt a : attempts) {
            String body = a.message().getBody() == null ? null : a.message().getBody().get(Outbox.FIELD_BODY);
            if (body == null) {
                // Trimmed away after its delivery began (or not an event): nobody will get it now.
                sync.xack(Outbox.STREAM, group, a.message().getId());
                metrics.trimmed(1);
                LOG.atWarn().addKeyValue("url", WebhookConfig.redact(url)).addKeyValue("entry", a.message().getId())
                        .addKeyValue("count", 1).log("webhook events trimmed");
                continue;
            }
            if (tooOld(a.message().getId())) {
                giveUp(sync, a.message().getId(), a.number() - 1);
                continue;
            }
            inFlight.add(post(a, body).thenAccept(status -> {
                if (status / 100 == 2) {
                    sync.xack(Outbox.STREAM, group, a.message().getId());
                    metrics.delivered();
                    LOG.atDebug().addKeyValue("url", WebhookConfig.redact(url))
                            .addKeyValue("eventId", a.message().getBody().get(Outbox.FIELD_ID))
                            .addKeyValue("attempt", a.number()).log("webhook delivered");
                } else {
                    metrics.retried();
                    LOG.atWarn().addKeyValue("url", WebhookConfig.redact(url))
                            .addKeyValue("eventId", a.message().getBody().get(Outbox.FIELD_ID))
                            .addKeyValue("type", a.message().getBody().get(Outbox.FIELD_TYPE))
                            .addKeyValue("attempt", a.number()).addKeyValue("status", status == 0 ? "no-answer" : status)
                            .addKeyValue("retryInMs", config.backoff(a.number()).toMillis()).log("webhook attempt failed");
                }
            }));
        }
        try {
            CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new))
                    .get(config.requestTimeout().toMillis() + 5_000, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            // Whatever did not finish stays pending and is retried after its backoff.
            LOG.atWarn().addKeyValue("url", WebhookConfig.redact(url)).addKeyValue("error", e.toString())
                    .log("webhook round unfinished");
        }
    }

    /** The receiver's status, or 0 when there was no answer (refused, reset, timed out). */
    private CompletableFuture<Integer> post(Attempt a, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(url)
                .timeout(config.requestTimeout())
                .header("Content-Type", "application/json")
                .header("User-Agent", "recingest-webhook/1")
                .header("X-Recingest-Event", a.message().getBody().getOrDefault(Outbox.FIELD_TYPE, ""))
                .header("X-Recingest-Event-Id", a.message().getBody().getOrDefault(Outbox.FIELD_ID, ""))
                .header("X-Recingest-Timestamp", Long.toString(clock.millis() / 1000))
                .header("X-Recingest-Attempt", Long.toString(a.number()))
                .header(Signature.HEADER, Signature.sign(config.secret(), bytes))
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes))
                .build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                .thenApply(HttpResponse::statusCode)
                .exceptionally(e -> 0);
    }

    private boolean tooOld(String entryId) {
        return clock.millis() - Outbox.publishedAt(entryId) > config.maxAge().toMillis();
    }

    private void giveUp(RedisClusterCommands<String, String> sync, String entryId, long attempts) {
        sync.xack(Outbox.STREAM, group, entryId);
        metrics.gaveUp();
        LOG.atWarn().addKeyValue("url", WebhookConfig.redact(url)).addKeyValue("entry", entryId)
                .addKeyValue("attempts", attempts).addKeyValue("maxAgeMs", config.maxAge().toMillis())
                .log("webhook given up");
    }

    private void pause() {
        try {
            Thread.sleep(REDIS_BACKOFF_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }
}
