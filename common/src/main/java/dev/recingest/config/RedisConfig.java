package dev.recingest.config;

import java.util.Objects;

/** Where Redis is: a Lettuce URI, {@code redis://host:port} (or {@code redis-sentinel://...}). */
public record RedisConfig(String uri) {

    public static final String DEFAULT_URI = "redis://127.0.0.1:6379";

    public static final SettingGroup SETTINGS = new SettingGroup("Redis");
    public static final Setting<String> URI = SETTINGS.string("RECINGEST_REDIS_URI", DEFAULT_URI,
            "Redis ≥ 6.2, a Lettuce URI; with a password `redis://:<password>@host:6379` (URL-safe characters). A single server is what is tested; Sentinel and Cluster: `deploy/README.md`");

    public RedisConfig {
        Objects.requireNonNull(uri, "uri");
    }

    public static RedisConfig from(Settings s) {
        return new RedisConfig(s.get(URI));
    }

    /** The URI without its password, for logs and errors. */
    public String redacted() {
        return uri.replaceAll("//[^@/]*@", "//***@");
    }

    @Override
    public String toString() {
        // A Redis URI may carry a password.
        return "RedisConfig[uri=" + redacted() + "]";
    }
}
