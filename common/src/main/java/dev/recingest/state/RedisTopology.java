package dev.recingest.state;

import dev.recingest.config.RedisConfig;
import io.lettuce.core.RedisURI;
import io.lettuce.core.StaticCredentialsProvider;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Which Redis a {@link RedisConfig} names, as Lettuce URIs: one server, a Sentinel group's master, or the seed
 * nodes of a Redis Cluster. Lettuce parses each URI itself (its schemes, query options, URL decoding); this
 * only splits a cluster's host list, which Lettuce's URI syntax has for Sentinel alone, and applies the
 * passwords that come from settings rather than from the URI.
 */
record RedisTopology(Kind kind, List<RedisURI> uris) {

    enum Kind { STANDALONE, SENTINEL, CLUSTER }

    static RedisTopology of(RedisConfig config) {
        String uri = config.uri().trim();
        int schemeEnd = uri.indexOf("://");
        if (schemeEnd < 0) {
            throw new IllegalArgumentException(RedisConfig.URI.env() + " is not a URI (redis://host:port): "
                    + config.redacted());
        }
        String scheme = uri.substring(0, schemeEnd);
        boolean sentinel = scheme.endsWith("-sentinel");
        if (sentinel && config.cluster()) {
            throw new IllegalArgumentException(RedisConfig.CLUSTER.env() + "=true does not go with a " + scheme
                    + ":// URI: Sentinel serves one master, a Redis Cluster has no Sentinel");
        }
        Parts parts = Parts.of(uri.substring(schemeEnd + 3));
        List<RedisURI> uris = new ArrayList<>();
        Kind kind;
        if (sentinel) {
            kind = Kind.SENTINEL; // Lettuce's sentinel syntax lists the Sentinels itself
            uris.add(RedisURI.create(uri));
        } else {
            String[] hosts = parts.hosts().split(",");
            kind = hosts.length > 1 || config.cluster() ? Kind.CLUSTER : Kind.STANDALONE;
            for (String host : hosts) {
                if (host.isBlank()) {
                    throw new IllegalArgumentException(RedisConfig.URI.env() + " names an empty host: " + config.redacted());
                }
                uris.add(RedisURI.create(scheme + "://" + parts.credentials() + host.trim() + parts.rest()));
            }
        }
        if (config.password() != null) {
            String user = parts.user();
            for (RedisURI u : uris) {
                u.setCredentialsProvider(new StaticCredentialsProvider(user, config.password().toCharArray()));
            }
        }
        if (config.sentinelPassword() != null) {
            if (kind != Kind.SENTINEL) {
                throw new IllegalArgumentException(RedisConfig.SENTINEL_PASSWORD.env() + " is set but "
                        + RedisConfig.URI.env() + " names no Sentinel (redis-sentinel://…)");
            }
            for (RedisURI s : uris.get(0).getSentinels()) {
                s.setCredentialsProvider(new StaticCredentialsProvider(null, config.sentinelPassword().toCharArray()));
            }
        }
        return new RedisTopology(kind, List.copyOf(uris));
    }

    /**
     * The parts of a URI after its scheme: {@code [credentials@]hosts[/db][?query][#masterId]}.
     *
     * @param credentials the user info with its {@code @}, or empty
     * @param hosts       one host[:port], or several separated by commas
     * @param rest        what follows the hosts, from the first {@code /}, {@code ?} or {@code #}
     */
    private record Parts(String credentials, String hosts, String rest) {

        static Parts of(String afterScheme) {
            int at = afterScheme.lastIndexOf('@');
            String credentials = at < 0 ? "" : afterScheme.substring(0, at + 1);
            String remainder = afterScheme.substring(at + 1);
            int end = remainder.length();
            for (char c : new char[] {'/', '?', '#'}) {
                int i = remainder.indexOf(c);
                if (i >= 0 && i < end) {
                    end = i;
                }
            }
            return new Parts(credentials, remainder.substring(0, end), remainder.substring(end));
        }

        /** The ACL user name, when a password comes from a setting: the user info up to its colon, or null. */
        String user() {
            if (credentials.isEmpty()) {
                return null;
            }
            String info = credentials.substring(0, credentials.length() - 1);
            int colon = info.indexOf(':');
            String user = colon < 0 ? info : info.substring(0, colon);
            return user.isEmpty() ? null : URLDecoder.decode(user.replace("+", "%2B"), StandardCharsets.UTF_8);
        }
    }
}
