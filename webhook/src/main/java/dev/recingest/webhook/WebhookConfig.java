package dev.recingest.webhook;

import dev.recingest.config.Setting;
import dev.recingest.config.SettingGroup;
import dev.recingest.config.Settings;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Webhook settings ({@code RECINGEST_WEBHOOK_*}).
 *
 * @param urls           receivers; empty: no delivery (events still go to the outbox)
 * @param secret         HMAC-SHA256 key of the {@code X-Recingest-Signature} header; required with URLs
 * @param requestTimeout one POST's limit (connect and answer); also the shortest delay before a retry,
 *                       so a retry never overlaps an attempt still in flight in another process
 * @param retryBase      delay before the first retry; doubles with every failed attempt
 * @param retryMax       longest delay between two attempts
 * @param maxAge         an event not accepted this long after it was published is given up (counted)
 * @param poll           how long one read of the outbox blocks; also bounds how fast close() stops
 * @param batch          events read and POSTed concurrently per URL at a time
 */
public record WebhookConfig(List<URI> urls, String secret, Duration requestTimeout, Duration retryBase,
                            Duration retryMax, Duration maxAge, Duration poll, int batch) {

    public static final SettingGroup SETTINGS = new SettingGroup("webhooks");
    public static final Setting<String> URLS = SETTINGS.string("RECINGEST_WEBHOOK_URLS", "",
            "webhook receivers, comma-separated http(s) URLs (empty: no delivery; see `docs/API.md`)");
    public static final Setting<String> SECRET = SETTINGS.secret("RECINGEST_WEBHOOK_SECRET", 16,
            "HMAC-SHA256 key of the `X-Recingest-Signature` header; required with URLs");
    public static final Setting<Duration> TIMEOUT = SETTINGS.duration("RECINGEST_WEBHOOK_TIMEOUT", Duration.ofSeconds(10),
            "one POST (connect and answer); also the shortest delay before a retry");
    public static final Setting<Duration> RETRY_BASE = SETTINGS.duration("RECINGEST_WEBHOOK_RETRY_BASE", Duration.ofSeconds(5),
            "delay before the first retry; doubles with every failed attempt");
    public static final Setting<Duration> RETRY_MAX = SETTINGS.duration("RECINGEST_WEBHOOK_RETRY_MAX", Duration.ofMinutes(10),
            "longest delay between two attempts");
    public static final Setting<Duration> MAX_AGE = SETTINGS.duration("RECINGEST_WEBHOOK_MAX_AGE", Duration.ofHours(24),
            "an event not accepted this long after it was published is given up (counted)");
    public static final Setting<Duration> POLL = SETTINGS.duration("RECINGEST_WEBHOOK_POLL", Duration.ofSeconds(2),
            "how long one read of the outbox blocks (at most 4s)");
    public static final Setting<Integer> BATCH = SETTINGS.integer("RECINGEST_WEBHOOK_BATCH", 16,
            "events read and POSTed concurrently per URL");

    public WebhookConfig {
        urls = List.copyOf(urls);
        for (URI u : urls) {
            if (u.getScheme() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https"))
                    || u.getHost() == null) {
                throw new IllegalArgumentException("RECINGEST_WEBHOOK_URLS: not an http(s) URL: " + redact(u));
            }
        }
        if (!urls.isEmpty() && (secret == null || secret.length() < 16)) {
            throw new IllegalArgumentException(
                    "RECINGEST_WEBHOOK_URLS is set: set RECINGEST_WEBHOOK_SECRET (at least 16 characters) to sign events");
        }
        positive("RECINGEST_WEBHOOK_TIMEOUT", requestTimeout);
        positive("RECINGEST_WEBHOOK_RETRY_BASE", retryBase);
        positive("RECINGEST_WEBHOOK_RETRY_MAX", retryMax);
        positive("RECINGEST_WEBHOOK_MAX_AGE", maxAge);
        positive("RECINGEST_WEBHOOK_POLL", poll);
        if (poll.compareTo(Duration.ofSeconds(4)) > 0) {
            // A blocking read must end well within the Redis client's command timeout (5 s).
            throw new IllegalArgumentException("RECINGEST_WEBHOOK_POLL must be at most 4s");
        }
        if (batch < 1) {
            throw new IllegalArgumentException("RECINGEST_WEBHOOK_BATCH must be at least 1");
        }
    }

    public static WebhookConfig from(Settings s) {
        List<URI> urls = Arrays.stream(s.get(URLS).split(","))
                .map(String::trim).filter(u -> !u.isEmpty()).map(URI::create).toList();
        return new WebhookConfig(urls, s.get(SECRET), s.get(TIMEOUT), s.get(RETRY_BASE), s.get(RETRY_MAX),
                s.get(MAX_AGE), s.get(POLL), s.get(BATCH));
    }

    public boolean enabled() {
        return !urls.isEmpty();
    }

    /**
     * How long an event that has had {@code attempts} failed attempts waits before the next one:
     * {@code retryBase × 2^(attempts-1)}, at most {@code retryMax}, never less than {@code requestTimeout}.
     */
    public Duration backoff(long attempts) {
        long shift = Math.min(30, Math.max(0, attempts - 1));
        Duration d = retryBase.multipliedBy(1L << shift);
        if (d.compareTo(retryMax) > 0) {
            d = retryMax;
        }
        return d.compareTo(requestTimeout) < 0 ? requestTimeout : d;
    }

    /** A URL for logs: query and user info may carry credentials. */
    static String redact(URI u) {
        return u.getScheme() + "://" + u.getHost() + (u.getPort() < 0 ? "" : ":" + u.getPort())
                + (u.getRawPath() == null ? "" : u.getRawPath());
    }

    private static void positive(String name, Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(name + " must be positive");
        }
    }

    @Override
    public String toString() {
        return "WebhookConfig[urls=" + urls.stream().map(WebhookConfig::redact).toList() + ", secret="
                + (secret == null ? "unset" : "***") + ", requestTimeout=" + requestTimeout + ", retryBase=" + retryBase
                + ", retryMax=" + retryMax + ", maxAge=" + maxAge + "]";
    }
}
