package dev.recingest.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recingest.config.RedisConfig;
import dev.recingest.config.Settings;
import io.lettuce.core.RedisCredentials;
import io.lettuce.core.RedisURI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which Redis a setting names: the topology, the nodes, the credentials each node gets. */
class RedisTopologyTest {

    @Test
    void oneHostIsASingleServerAndSeveralHostsAreClusterSeedsWithTheSameOptions() {
        RedisTopology single = RedisTopology.of(new RedisConfig("redis://:pw@redis:6379/0?timeout=3s"));
        assertEquals(RedisTopology.Kind.STANDALONE, single.kind());
        assertEquals("redis", single.uris().get(0).getHost());

        RedisTopology cluster = RedisTopology.of(new RedisConfig(
                "rediss://app:p%40ss@n1.example:7000,n2.example:7001,n3.example?timeout=3s"));
        assertEquals(RedisTopology.Kind.CLUSTER, cluster.kind());
        assertEquals(List.of("n1.example:7000", "n2.example:7001", "n3.example:6379"),
                cluster.uris().stream().map(u -> u.getHost() + ":" + u.getPort()).toList());
        for (RedisURI u : cluster.uris()) {
            assertTrue(u.isSsl());
            assertEquals(3, u.getTimeout().toSeconds());
            RedisCredentials c = u.getCredentialsProvider().resolveCredentials().block();
            assertEquals("app", c.getUsername());
            assertEquals("p@ss", new String(c.getPassword()), "URL-decoded");
        }
    }

    @Test
    void theClusterSettingMakesOneHostASeed() {
        RedisTopology t = RedisTopology.of(RedisConfig.from(Settings.of(Map.of(
                "RECINGEST_REDIS_URI", "redis://clustercfg.example:6379", "RECINGEST_REDIS_CLUSTER", "true"))));
        assertEquals(RedisTopology.Kind.CLUSTER, t.kind());
        assertEquals(1, t.uris().size());
    }

    @Test
    void aPasswordSettingReplacesTheUrisAndKeepsItsUserName() {
        RedisTopology t = RedisTopology.of(RedisConfig.from(Settings.of(Map.of(
                "RECINGEST_REDIS_URI", "redis://recingest@n1:6379,n2:6379",
                "RECINGEST_REDIS_PASSWORD", "any chars: @/%#"))));
        for (RedisURI u : t.uris()) {
            RedisCredentials c = u.getCredentialsProvider().resolveCredentials().block();
            assertEquals("recingest", c.getUsername());
            assertEquals("any chars: @/%#", new String(c.getPassword()));
        }
        RedisCredentials noUser = RedisTopology.of(RedisConfig.from(Settings.of(Map.of(
                "RECINGEST_REDIS_URI", "redis://redis:6379", "RECINGEST_REDIS_PASSWORD", "pw"))))
                .uris().get(0).getCredentialsProvider().resolveCredentials().block();
        assertNull(noUser.getUsername());
        assertEquals("pw", new String(noUser.getPassword()));
    }

    @Test
    void sentinelUrisListTheSentinelsWhichGetTheirOwnPassword() {
        RedisTopology t = RedisTopology.of(RedisConfig.from(Settings.of(Map.of(
                "RECINGEST_REDIS_URI", "redis-sentinel://s1:26379,s2:26379,s3#mymaster",
                "RECINGEST_REDIS_PASSWORD", "data-pw", "RECINGEST_REDIS_SENTINEL_PASSWORD", "sentinel-pw"))));
        assertEquals(RedisTopology.Kind.SENTINEL, t.kind());
        RedisURI u = t.uris().get(0);
        assertEquals("mymaster", u.getSentinelMasterId());
        assertEquals(3, u.getSentinels().size());
        assertEquals("data-pw", new String(u.getCredentialsProvider().resolveCredentials().block().getPassword()));
        for (RedisURI s : u.getSentinels()) {
            assertEquals("sentinel-pw", new String(s.getCredentialsProvider().resolveCredentials().block().getPassword()));
        }
    }

    @Test
    void settingsThatContradictTheUriAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> RedisTopology.of(RedisConfig.from(Settings.of(Map.of(
                "RECINGEST_REDIS_URI", "redis-sentinel://s1#m", "RECINGEST_REDIS_CLUSTER", "true")))));
        assertThrows(IllegalArgumentException.class, () -> RedisTopology.of(RedisConfig.from(Settings.of(Map.of(
                "RECINGEST_REDIS_URI", "redis://r:6379", "RECINGEST_REDIS_SENTINEL_PASSWORD", "x")))));
        assertThrows(IllegalArgumentException.class, () -> RedisTopology.of(new RedisConfig("redis://n1:6379,,n3:6379")));
        assertThrows(IllegalArgumentException.class, () -> RedisTopology.of(new RedisConfig("n1:6379")));
        assertThrows(IllegalArgumentException.class, () -> RedisConfig.from(Settings.of(Map.of(
                "RECINGEST_REDIS_TLS_CERT", "/etc/hostname"))), "a certificate without its key");
    }

    @Test
    void passwordsNeverShowInTheConfigsText() {
        RedisConfig c = RedisConfig.from(Settings.of(Map.of("RECINGEST_REDIS_URI", "redis://u:uri-secret@n1,n2",
                "RECINGEST_REDIS_PASSWORD", "setting-secret", "RECINGEST_REDIS_SENTINEL_PASSWORD", "sentinel-secret")));
        assertFalse(c.toString().contains("secret"), c.toString());
        assertFalse(c.redacted().contains("secret"), c.redacted());
    }
}
