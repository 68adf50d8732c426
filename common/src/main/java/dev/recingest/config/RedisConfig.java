package dev.recingest.config;

import java.util.Objects;

/** Where Redis is: a Lettuce URI, {@code redis://host:port} (or {@code redis-sentinel://...}). */
public record RedisConfig(String uri) {

    public static final String DEFAULT_URI = "redis://127.0.0.1:6379";

    public RedisConfig {
        Objects.requireNonNull(uri, "uri");
    }

    public static RedisConfig from(Settings s) {
        return new RedisConfig(s.string("RECINGEST_REDIS_URI", DEFAULT_URI));
    }

    @Override
    public String toString() {
        // A Redis URI may carry a password.
        return "RedisConfig[uri=" + uri.replaceAll("//[^@/]*@", "//***@") + "]";
    }
}
