package dev.recingest.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where Redis is and how to reach it. The topology follows from the URI: {@code redis://host:port} (or
 * {@code rediss://} with TLS) is a single server, {@code redis-sentinel://s1:26379,s2:26379#mymaster} the
 * master a Sentinel group names, and several hosts ({@code redis://n1:6379,n2:6379,n3:6379}) the seed nodes
 * of a Redis Cluster; {@code cluster} makes a single host a cluster seed too (a Service name or a cloud
 * configuration endpoint).
 *
 * @param uri              a Lettuce URI, with several comma-separated hosts for a cluster
 * @param cluster          the URI names a Redis Cluster even with one host
 * @param password         the data nodes' password, overriding the URI's (null: the URI's, if any); with it,
 *                         the URI's user part is the ACL user name alone
 * @param sentinelPassword the Sentinels' own password ({@code requirepass} in sentinel.conf), or null
 * @param tls              certificates for {@code rediss://}
 */
public record RedisConfig(String uri, boolean cluster, String password, String sentinelPassword, Tls tls) {

    public static final String DEFAULT_URI = "redis://127.0.0.1:6379";

    public static final SettingGroup SETTINGS = new SettingGroup("Redis");
    public static final Setting<String> URI = SETTINGS.string("RECINGEST_REDIS_URI", DEFAULT_URI,
            "Redis ≥ 6.2, a Lettuce URI: `redis://host:6379` (one server), `rediss://…` (TLS), "
                    + "`redis-sentinel://s1:26379,s2:26379,s3:26379#mymaster` (Sentinel), `redis://n1:6379,n2:6379,n3:6379` "
                    + "(Redis Cluster seed nodes); credentials `redis://[user:]password@…` (URL-encoded) or "
                    + "`RECINGEST_REDIS_PASSWORD`. `deploy/README.md`, section Redis");
    public static final Setting<Boolean> CLUSTER = SETTINGS.bool("RECINGEST_REDIS_CLUSTER", false,
            "the URI's single host is a Redis Cluster node (a seed); several hosts in the URI mean a cluster anyway");
    public static final Setting<String> PASSWORD = SETTINGS.secret("RECINGEST_REDIS_PASSWORD", 0,
            "Redis password, instead of one in the URI (any characters, no URL encoding); the URI's user part, if any, "
                    + "is then the ACL user name. Default: the URI's");
    public static final Setting<String> SENTINEL_PASSWORD = SETTINGS.secret("RECINGEST_REDIS_SENTINEL_PASSWORD", 0,
            "the Sentinels' own password (`requirepass` in sentinel.conf) for `redis-sentinel://` URIs. Default: none");
    public static final Setting<String> TLS_CA = SETTINGS.string("RECINGEST_REDIS_TLS_CA", "",
            "PEM file of the CA that signed the Redis servers' certificates, for `rediss://` (host names are "
                    + "verified). Empty: the JVM's trust store");
    public static final Setting<String> TLS_CERT = SETTINGS.string("RECINGEST_REDIS_TLS_CERT", "",
            "PEM certificate chain this client presents to Redis (`tls-auth-clients yes`), with `RECINGEST_REDIS_TLS_KEY`. "
                    + "Empty: none");
    public static final Setting<String> TLS_KEY = SETTINGS.string("RECINGEST_REDIS_TLS_KEY", "",
            "PEM private key (PKCS#8, `BEGIN PRIVATE KEY`) of `RECINGEST_REDIS_TLS_CERT`");

    /**
     * Files for TLS; each null when not set.
     *
     * @param ca   the CA certificate(s) to trust instead of the JVM's trust store
     * @param cert the client's certificate chain, always with {@code key}
     */
    public record Tls(Path ca, Path cert, Path key) {

        public static final Tls NONE = new Tls(null, null, null);

        public Tls {
            if ((cert == null) != (key == null)) {
                throw new IllegalArgumentException(TLS_CERT.env() + " and " + TLS_KEY.env() + " go together: set both or neither");
            }
            for (Path p : new Path[] {ca, cert, key}) {
                if (p != null && !Files.isReadable(p)) {
                    throw new IllegalArgumentException("cannot read " + p + " (" + TLS_CA.env() + ", " + TLS_CERT.env()
                            + ", " + TLS_KEY.env() + ")");
                }
            }
        }

        public boolean configured() {
            return ca != null || cert != null;
        }
    }

    public RedisConfig {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(tls, "tls");
    }

    /** A URI alone: a single server or Sentinel, or a cluster when it names several hosts. */
    public RedisConfig(String uri) {
        this(uri, false, null, null, Tls.NONE);
    }

    public static RedisConfig from(Settings s) {
        return new RedisConfig(s.get(URI), s.get(CLUSTER), s.find(PASSWORD).orElse(null),
                s.find(SENTINEL_PASSWORD).orElse(null),
                new Tls(path(s.get(TLS_CA)), path(s.get(TLS_CERT)), path(s.get(TLS_KEY))));
    }

    private static Path path(String value) {
        return value == null || value.isBlank() ? null : Path.of(value.trim());
    }

    /** The URI without its password, for logs and errors. */
    public String redacted() {
        return uri.replaceAll("//[^@/]*@", "//***@");
    }

    @Override
    public String toString() {
        // A Redis URI may carry a password; the passwords themselves are never printed.
        return "RedisConfig[uri=" + redacted() + ", cluster=" + cluster + ", password=" + (password == null ? "-" : "***")
                + ", sentinelPassword=" + (sentinelPassword == null ? "-" : "***") + ", tls=" + tls + "]";
    }
}
