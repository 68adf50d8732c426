package dev.recingest.config;

import java.time.Duration;
import java.util.Objects;

/**
 * How long the Redis keys of an ended recording (COMPLETED, FAILED, ABORTED) live
 * ({@code RECINGEST_RETENTION_REDIS}, default 7 days). S3 stays the durable record: after the keys
 * expire, a completed recording is still described by its {@code manifest.json}.
 */
public record Retention(Duration redisKeys) {

    public static final Duration DEFAULT_REDIS_KEYS = Duration.ofDays(7);

    public static final SettingGroup SETTINGS = new SettingGroup("retention");
    public static final Setting<Duration> REDIS_KEYS = SETTINGS.duration("RECINGEST_RETENTION_REDIS", DEFAULT_REDIS_KEYS,
            "Redis keys of COMPLETED, FAILED and ABORTED recordings expire after this (at least 1m); S3 keeps the objects");

    public Retention {
        Objects.requireNonNull(redisKeys, "redisKeys");
        if (redisKeys.compareTo(Duration.ofMinutes(1)) < 0) {
            throw new IllegalArgumentException("RECINGEST_RETENTION_REDIS must be at least 1m, got " + redisKeys);
        }
    }

    public static Retention from(Settings s) {
        return new Retention(s.get(REDIS_KEYS));
    }

    public static Retention defaults() {
        return new Retention(DEFAULT_REDIS_KEYS);
    }
}
