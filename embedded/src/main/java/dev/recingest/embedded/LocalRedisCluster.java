package dev.recingest.embedded;

import dev.recingest.config.RedisConfig;
import io.lettuce.core.Range;
import io.lettuce.core.cluster.SlotHash;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A real Redis Cluster on loopback: three masters, each with one replica, formed by the test itself (ADDSLOTS,
 * MEET, REPLICATE, as {@code redis-cli --cluster create} does) from the system's redis-server. The nodes keep
 * an append-only file (fsync every second), detect a dead node after {@value #NODE_TIMEOUT_MS} ms, and a
 * replica may be promoted however far behind it is ({@code cluster-replica-validity-factor 0}): a failover to a
 * lagging replica, which is how a Redis Cluster loses acknowledged writes. {@code cluster-require-full-coverage
 * no}: the slots of live masters stay writable while one master is down.
 *
 * <p>Replicas authenticate to their masters as the ACL user {@code replicator}, so that a test can cut one
 * replica off its master ({@link #cutReplication}) and keep writing to the master: the writes the replica
 * then never receives are lost when the master dies and the replica is promoted.
 */
public final class LocalRedisCluster implements RedisUnderTest {

    static final int NODE_TIMEOUT_MS = 2000;
    private static final int MASTERS = 3;
    private static final String REPLICATOR_PASSWORD = "replicator-password-for-tests";
    private static LocalRedisCluster shared;

    private final Path dir;
    private final List<RedisServerProcess> nodes = new ArrayList<>();
    private final NodeAdmin admin = new NodeAdmin();

    private LocalRedisCluster(Path dir) {
        this.dir = dir;
    }

    /** Starts six nodes in {@code dir} and forms the cluster; returns when every slot is served and replicated. */
    public static LocalRedisCluster start(Path dir) {
        LocalRedisCluster c = new LocalRedisCluster(dir);
        try {
            c.form();
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /**
     * One cluster for every test class of this JVM that only needs a healthy cluster (none that kills a node),
     * emptied ({@link #flushAll}) for each; its nodes are killed and its folder removed when the JVM exits.
     */
    public static synchronized LocalRedisCluster shared() {
        if (shared == null) {
            try {
                Path dir = Files.createTempDirectory("recingest-redis-cluster");
                shared = start(dir);
                LocalRedisCluster c = shared;
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    c.close();
                    deleteTree(dir);
                }, "redis-cluster-cleanup"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        shared.flushAll();
        return shared;
    }

    private void form() {
        for (int i = 0; i < MASTERS * 2; i++) {
            int port = FreePort.pick();
            nodes.add(new RedisServerProcess(dir.resolve("node-" + i), port, List.of(
                    "cluster-enabled yes", "cluster-config-file nodes.conf",
                    "cluster-node-timeout " + NODE_TIMEOUT_MS, "cluster-replica-validity-factor 0",
                    "cluster-require-full-coverage no", "cluster-allow-replica-migration no",
                    "appendonly yes", "appendfsync everysec",
                    "user replicator on >" + REPLICATOR_PASSWORD + " ~* &* +@all",
                    "masteruser replicator", "masterauth " + REPLICATOR_PASSWORD), false).start());
        }
        for (int m = 0; m < MASTERS; m++) {
            int from = m * SlotHash.SLOT_COUNT / MASTERS;
            int to = (m + 1) * SlotHash.SLOT_COUNT / MASTERS - 1;
            admin.call(port(m), r -> r.clusterAddSlotsRange(Range.create(from, to)));
        }
        for (int i = 1; i < nodes.size(); i++) {
            int port = port(i);
            admin.call(port(0), r -> r.clusterMeet("127.0.0.1", port));
        }
        NodeAdmin.await(() -> nodes.stream().allMatch(n -> admin.call(n.port(), r -> r.clusterNodes())
                .lines().count() == nodes.size()), Duration.ofSeconds(30), "every node knows the other five");
        for (int m = 0; m < MASTERS; m++) {
            String masterId = admin.call(port(m), r -> r.clusterMyId());
            admin.call(port(m + MASTERS), r -> r.clusterReplicate(masterId));
        }
        awaitHealthy(Duration.ofSeconds(60));
    }

    /** Every live node says the cluster is ok, and every live replica is in sync with its master. */
    public void awaitHealthy(Duration limit) {
        NodeAdmin.await(() -> nodes.stream().filter(RedisServerProcess::isAlive).allMatch(n -> {
            String info = admin.call(n.port(), r -> r.clusterInfo());
            if (!"ok".equals(NodeAdmin.infoField(info, "cluster_state"))) {
                return false;
            }
            String replication = admin.call(n.port(), r -> r.info("replication"));
            return !"slave".equals(NodeAdmin.infoField(replication, "role"))
                    || "up".equals(NodeAdmin.infoField(replication, "master_link_status"));
        }), limit, "the cluster is ok on every node and its replicas are in sync");
    }

    /** The seed nodes (the first masters), as {@code RECINGEST_REDIS_URI} names a cluster. */
    public String uri() {
        return "redis://" + nodes.subList(0, MASTERS).stream().map(n -> "127.0.0.1:" + n.port())
                .collect(Collectors.joining(","));
    }

    @Override
    public Map<String, String> settings() {
        return Map.of(RedisConfig.URI.env(), uri());
    }

    public int port(int node) {
        return nodes.get(node).port();
    }

    public RedisServerProcess node(int node) {
        return nodes.get(node);
    }

    public int size() {
        return nodes.size();
    }

    /** The node that a live node says is the master serving {@code key}'s slot now. */
    public int masterOf(String key) {
        int slot = SlotHash.getSlot(key);
        for (RedisServerProcess asked : nodes) {
            if (!asked.isAlive()) {
                continue;
            }
            try {
                for (String line : admin.call(asked.port(), r -> r.clusterNodes()).lines().toList()) {
                    String[] f = line.split(" ");
                    if (f[2].contains("master") && !f[2].contains("fail") && servesSlot(f, slot)) {
                        int port = Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1, f[1].indexOf('@')));
                        return indexOfPort(port);
                    }
                }
            } catch (RuntimeException e) {
                // Ask the next node.
            }
        }
        throw new IllegalStateException("no live node names a master for slot " + slot);
    }

    /** The replica (node index) that follows {@code master} now, or -1. */
    public int replicaOf(int master) {
        String masterId = admin.call(port(master), r -> r.clusterMyId());
        for (String line : admin.call(port(master), r -> r.clusterNodes()).lines().toList()) {
            String[] f = line.split(" ");
            if (f[2].contains("slave") && f[3].equals(masterId) && !f[2].contains("fail")) {
                return indexOfPort(Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1, f[1].indexOf('@'))));
            }
        }
        return -1;
    }

    private static boolean servesSlot(String[] fields, int slot) {
        for (int i = 8; i < fields.length; i++) {
            String s = fields[i];
            if (s.startsWith("[")) {
                continue; // a slot being migrated
            }
            int dash = s.indexOf('-');
            int from = Integer.parseInt(dash < 0 ? s : s.substring(0, dash));
            int to = dash < 0 ? from : Integer.parseInt(s.substring(dash + 1));
            if (slot >= from && slot <= to) {
                return true;
            }
        }
        return false;
    }

    private int indexOfPort(int port) {
        for (int i = 0; i < nodes.size(); i++) {
            if (nodes.get(i).port() == port) {
                return i;
            }
        }
        throw new IllegalStateException("no node on port " + port);
    }

    /**
     * Cuts {@code replica} off its master, as a network partition between the two does: it disconnects and
     * cannot authenticate again, so every write its master takes from now on is one it will not have.
     */
    public void cutReplication(int replica) {
        admin.call(port(replica), r -> r.configSet("masterauth", "wrong-" + REPLICATOR_PASSWORD));
        admin.call(port(replica), r -> r.clientKill(io.lettuce.core.KillArgs.Builder.typeMaster()));
        NodeAdmin.await(() -> "down".equals(NodeAdmin.infoField(admin.call(port(replica), r -> r.info("replication")),
                "master_link_status")), Duration.ofSeconds(10), "replica " + replica + " is cut off its master");
    }

    /** The replication offset a node has reached ({@code master_repl_offset} of INFO replication). */
    public long replicationOffset(int node) {
        return Long.parseLong(NodeAdmin.infoField(admin.call(port(node), r -> r.info("replication")), "master_repl_offset"));
    }

    /** Runs commands on one node directly (plain connection, no cluster routing). */
    public <T> T onNode(int node, java.util.function.Function<io.lettuce.core.api.sync.RedisCommands<String, String>, T> call) {
        return admin.call(port(node), call);
    }

    /** SIGKILL of one node. */
    public void kill(int node) {
        nodes.get(node).kill();
    }

    /** Empties every live master (and so its replica). */
    public void flushAll() {
        for (RedisServerProcess n : nodes) {
            if (n.isAlive() && "master".equals(NodeAdmin.infoField(admin.call(n.port(), r -> r.info("replication")), "role"))) {
                admin.call(n.port(), r -> r.flushall());
            }
        }
    }

    @Override
    public void close() {
        nodes.forEach(RedisServerProcess::kill);
        admin.close();
    }

    static void deleteTree(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // Best effort: a temporary folder.
        }
    }
}
