package dev.recingest.embedded;

import dev.recingest.config.RedisConfig;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.sentinel.api.StatefulRedisSentinelConnection;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A real Redis Sentinel group on loopback: a master, one replica and three Sentinels (quorum 2) from the
 * system's redis-server. The master is declared down after {@value #DOWN_AFTER_MS} ms without an answer, and
 * the replica promoted. The data nodes keep an append-only file (fsync every second) and, optionally, a
 * password; the Sentinels, optionally, one of their own. As in {@link LocalRedisCluster}, the replica
 * authenticates as the ACL user {@code replicator}, so that {@link #cutReplication} can make it lag.
 */
public final class LocalRedisSentinel implements RedisUnderTest {

    public static final String MASTER_NAME = "mymaster";
    static final int DOWN_AFTER_MS = 2000;
    private static final String REPLICATOR_PASSWORD = "replicator-password-for-tests";

    private final String password;
    private final String sentinelPassword;
    private final List<RedisServerProcess> data = new ArrayList<>();
    private final List<RedisServerProcess> sentinels = new ArrayList<>();
    private final NodeAdmin admin = new NodeAdmin();

    private LocalRedisSentinel(String password, String sentinelPassword) {
        this.password = password;
        this.sentinelPassword = sentinelPassword;
    }

    /**
     * Starts the master, its replica and three Sentinels in {@code dir}; returns when the Sentinels see the master
     * and the replica, and the replica is in sync.
     *
     * @param password         the data nodes' {@code requirepass}, or null for none
     * @param sentinelPassword the Sentinels' own {@code requirepass}, or null for none
     */
    public static LocalRedisSentinel start(Path dir, String password, String sentinelPassword) {
        LocalRedisSentinel s = new LocalRedisSentinel(password, sentinelPassword);
        try {
            s.form(dir);
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    private void form(Path dir) {
        int masterPort = FreePort.pick();
        for (int i = 0; i < 2; i++) {
            List<String> conf = new ArrayList<>(List.of("appendonly yes", "appendfsync everysec",
                    "user replicator on >" + REPLICATOR_PASSWORD + " ~* &* +@all",
                    "masteruser replicator", "masterauth " + REPLICATOR_PASSWORD));
            if (password != null) {
                conf.add("requirepass " + password);
            }
            if (i == 1) {
                conf.add("replicaof 127.0.0.1 " + masterPort);
            }
            data.add(new RedisServerProcess(dir.resolve("data-" + i), i == 0 ? masterPort : FreePort.pick(), conf, false)
                    .start());
        }
        awaitInSync(1);
        for (int i = 0; i < 3; i++) {
            List<String> conf = new ArrayList<>(List.of("sentinel resolve-hostnames no",
                    "sentinel monitor " + MASTER_NAME + " 127.0.0.1 " + masterPort + " 2",
                    "sentinel down-after-milliseconds " + MASTER_NAME + " " + DOWN_AFTER_MS,
                    "sentinel failover-timeout " + MASTER_NAME + " 20000",
                    "sentinel parallel-syncs " + MASTER_NAME + " 1"));
            if (password != null) {
                conf.add("sentinel auth-pass " + MASTER_NAME + " " + password);
            }
            if (sentinelPassword != null) {
                conf.add("requirepass " + sentinelPassword);
                conf.add("sentinel sentinel-pass " + sentinelPassword);
            }
            sentinels.add(new RedisServerProcess(dir.resolve("sentinel-" + i), FreePort.pick(), conf, true).start());
        }
        NodeAdmin.await(() -> sentinels.stream().allMatch(s -> onSentinel(s, c -> {
            Map<String, String> m = c.sync().master(MASTER_NAME);
            return Integer.parseInt(m.get("num-slaves")) == 1 && Integer.parseInt(m.get("num-other-sentinels")) == 2;
        })), Duration.ofSeconds(60), "every Sentinel sees the master, its replica and the two other Sentinels");
    }

    private <T> T onSentinel(RedisServerProcess s, java.util.function.Function<StatefulRedisSentinelConnection<String, String>, T> f) {
        RedisURI.Builder uri = RedisURI.Builder.redis("127.0.0.1", s.port()).withTimeout(Duration.ofSeconds(5));
        if (sentinelPassword != null) {
            uri.withPassword(sentinelPassword.toCharArray());
        }
        RedisClient client = RedisClient.create();
        try (StatefulRedisSentinelConnection<String, String> c = client.connectSentinel(uri.build())) {
            return f.apply(c);
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        }
    }

    public String uri() {
        return "redis-sentinel://" + sentinels.stream().map(s -> "127.0.0.1:" + s.port()).collect(Collectors.joining(","))
                + "#" + MASTER_NAME;
    }

    /** The URI, and the passwords as settings (never in the URI: they need no URL encoding there). */
    @Override
    public Map<String, String> settings() {
        Map<String, String> m = new HashMap<>(Map.of(RedisConfig.URI.env(), uri()));
        if (password != null) {
            m.put(RedisConfig.PASSWORD.env(), password);
        }
        if (sentinelPassword != null) {
            m.put(RedisConfig.SENTINEL_PASSWORD.env(), sentinelPassword);
        }
        return m;
    }

    /** The data node (0 or 1) the Sentinels name as master now. */
    public int master() {
        for (RedisServerProcess s : sentinels) {
            if (!s.isAlive()) {
                continue;
            }
            SocketAddress a = onSentinel(s, c -> c.sync().getMasterAddrByName(MASTER_NAME));
            int port = ((InetSocketAddress) a).getPort();
            for (int i = 0; i < data.size(); i++) {
                if (data.get(i).port() == port) {
                    return i;
                }
            }
        }
        throw new IllegalStateException("no Sentinel names a master");
    }

    /** Waits until every Sentinel names {@code node} as the master and it answers as one. */
    public void awaitMaster(int node, Duration limit) {
        NodeAdmin.await(() -> sentinels.stream().allMatch(s -> onSentinel(s, c -> ((InetSocketAddress) c.sync()
                        .getMasterAddrByName(MASTER_NAME)).getPort() == data.get(node).port()))
                        && "master".equals(NodeAdmin.infoField(onData(node, r -> r.info("replication")), "role")),
                limit, "every Sentinel names data node " + node + " as master");
    }

    private void awaitInSync(int replica) {
        NodeAdmin.await(() -> "up".equals(NodeAdmin.infoField(onData(replica, r -> r.info("replication")),
                "master_link_status")), Duration.ofSeconds(30), "the replica is in sync");
    }

    /** Runs commands on one data node directly. */
    public <T> T onData(int node, java.util.function.Function<io.lettuce.core.api.sync.RedisCommands<String, String>, T> call) {
        return admin.call(data.get(node).port(), password, call);
    }

    /** Cuts the replica {@code node} off its master (see {@link LocalRedisCluster#cutReplication}). */
    public void cutReplication(int node) {
        onData(node, r -> r.configSet("masterauth", "wrong-" + REPLICATOR_PASSWORD));
        onData(node, r -> r.clientKill(io.lettuce.core.KillArgs.Builder.typeMaster()));
        NodeAdmin.await(() -> "down".equals(NodeAdmin.infoField(onData(node, r -> r.info("replication")),
                "master_link_status")), Duration.ofSeconds(10), "data node " + node + " is cut off its master");
    }

    public long replicationOffset(int node) {
        return Long.parseLong(NodeAdmin.infoField(onData(node, r -> r.info("replication")), "master_repl_offset"));
    }

    /** SIGKILL of one data node. */
    public void kill(int node) {
        data.get(node).kill();
    }

    public RedisServerProcess dataNode(int node) {
        return data.get(node);
    }

    @Override
    public void close() {
        sentinels.forEach(RedisServerProcess::kill);
        data.forEach(RedisServerProcess::kill);
        admin.close();
    }
}
