package dev.recingest.webhook;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * {@code recingest_webhook_deliveries_total{outcome}}: {@code delivered} (a 2xx answer), {@code retried}
 * (an attempt failed; the event waits for its next one), {@code gave_up} (past RECINGEST_WEBHOOK_MAX_AGE); and
 * {@code recingest_webhook_events_trimmed_total}: events the outbox's length cap removed before a receiver got
 * them (see {@link TrimWatch}).
 */
final class WebhookMetrics {

    private final Counter delivered;
    private final Counter retried;
    private final Counter gaveUp;
    private final Counter trimmed;

    WebhookMetrics(MeterRegistry registry) {
        delivered = counter(registry, "delivered");
        retried = counter(registry, "retried");
        gaveUp = counter(registry, "gave_up");
        trimmed = Counter.builder("recingest.webhook.events.trimmed")
                .description("Outbox events trimmed (RECINGEST_WEBHOOK_OUTBOX_MAX) before a receiver got them")
                .register(registry);
    }

    private static Counter counter(MeterRegistry registry, String outcome) {
        return Counter.builder("recingest.webhook.deliveries").description("Webhook delivery attempts by outcome")
                .tag("outcome", outcome).register(registry);
    }

    void delivered() {
        delivered.increment();
    }

    void retried() {
        retried.increment();
    }

    void gaveUp() {
        gaveUp.increment();
    }

    void trimmed(long events) {
        trimmed.increment(events);
    }
}
