package dev.recingest.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.recingest.config.RedisConfig;
import dev.recingest.config.Settings;
import dev.recingest.protocol.Mode;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.Backlog;
import dev.recingest.state.MergeQueue;
import dev.recingest.state.OpenRecordings;
import dev.recingest.state.Outcomes;
import dev.recingest.state.RecordingState;
import dev.recingest.state.RecordingStore;
import dev.recingest.state.RedisConnection;
import dev.recingest.state.RedisConnections;
import dev.recingest.state.SeqMode;
import io.lettuce.core.RedisConnectionException;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Redis with TLS and an ACL user, as deploy/README.md recommends it: Debian's redis-server on a TLS port only, with
 * certificates made here by openssl (a CA, the server's for 127.0.0.1, a client's, since {@code tls-auth-clients
 * yes} is Redis's default), the default user switched off and a user {@code recingest} that may touch only the
 * system's keys and run only what it needs. Every kind of Redis work the system does passes; a wrong password,
 * a plain connection, an untrusted server and a client without a certificate are refused. Skipped without
 * redis-server or openssl.
 */
class RedisAuthTlsIT {

    /** Characters a URI must encode, to check both ways of giving it. */
    static final String PASSWORD = "tls-test p@ss:w/rd%#";
    /**
     * The least the system needs (deploy/README.md, section Redis); the password as its SHA-256 ({@code #<hex>}), so
     * that the configuration file holds no secret and no character needs quoting.
     */
    static final String ACL = "user recingest on #" + sha256Hex(PASSWORD) + " resetkeys ~rec:* ~recingest:* resetchannels -@all"
            + " +@read +@write +@stream +@scripting +@connection +@keyspace -@dangerous +time +info"
            + " +cluster|nodes +cluster|slots +cluster|shards +readonly";

    @TempDir
    static Path dir;
    static RedisServerProcess redis;
    static Map<String, String> settings;

    @BeforeAll
    static void up() throws Exception {
        assumeTrue(RedisServerProcess.unavailable().isEmpty(), RedisServerProcess.unavailable().orElse(""));
        assumeTrue(run(dir, "openssl", "version") == 0, "openssl is not installed, so this test is skipped");
        Path certs = Files.createDirectories(dir.resolve("certs"));
        certificates(certs);
        int port = FreePort.pick();
        redis = new RedisServerProcess(dir.resolve("redis"), port, List.of("port 0", "tls-port " + port,
                "tls-cert-file " + certs.resolve("server.crt"), "tls-key-file " + certs.resolve("server.key"),
                "tls-ca-cert-file " + certs.resolve("ca.crt"), "tls-auth-clients yes",
                "user default off", ACL), false).start();
        settings = new HashMap<>(Map.of(
                "RECINGEST_REDIS_URI", "rediss://recingest@127.0.0.1:" + port,
                "RECINGEST_REDIS_PASSWORD", PASSWORD,
                "RECINGEST_REDIS_TLS_CA", certs.resolve("ca.crt").toString(),
                "RECINGEST_REDIS_TLS_CERT", certs.resolve("client.crt").toString(),
                "RECINGEST_REDIS_TLS_KEY", certs.resolve("client.key").toString()));
    }

    @AfterAll
    static void down() {
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void everyKindOfWorkPassesOverTlsAsTheAclUser() {
        try (RedisConnections redisClient = new RedisConnections(RedisConfig.from(Settings.of(settings)));
             RedisConnection c = redisClient.connect()) {
            RecordingStore store = new RecordingStore(c.async(), Clock.systemUTC());
            RecordingId id = RecordingId.of("over-tls");
            Outcomes.StartOutcome started = store.ledger().start(id, "video/mp2t", Mode.SEGMENTS, "{}").join();
            for (int seq = 0; seq < 3; seq++) {
                Outcomes.Assignment a = store.ledger().assign(id, started.epoch(), seq, SeqMode.EXPLICIT).join();
                store.ledger().commit(id, a.index(), 100).join();
            }
            assertEquals(Outcomes.StopKind.STOPPED, store.ledger().stop(id, started.epoch(), 2L).join().kind());
            assertTrue(store.janitorLock(Duration.ofSeconds(5)).acquire().join(), "the janitor lock");
            OpenRecordings open = store.openRecordings();
            assertEquals(OpenRecordings.SweepKind.NOT_OPEN,
                    open.sweep(id, 0, 0, System.currentTimeMillis(), false).join().kind());
            assertEquals(1, open.due(System.currentTimeMillis() + 1, 10).join().size());
            store.repairs().point(id).join();
            store.mergeQueue().enqueue(id).join();
            MergeQueue queue = new MergeQueue(c.sync());
            queue.ensureGroup();
            MergeQueue.Job job = queue.take("w", Duration.ofSeconds(30), Duration.ofMillis(200)).orElseThrow();
            assertTrue(queue.extend("w", job));
            queue.ack(job);
            queue.removeIdleConsumers(Duration.ofHours(1));
            Backlog.Snapshot census = new Backlog(c.async(), 100).read().join();
            assertEquals(0L, census.unfinished().get(RecordingState.RECORDING));
            assertEquals(RecordingState.STOPPED, store.get(id).join().orElseThrow().state());
        }
    }

    @Test
    void thePasswordMayBeInTheUriUrlEncoded() {
        Map<String, String> s = new HashMap<>(settings);
        s.remove("RECINGEST_REDIS_PASSWORD");
        s.put("RECINGEST_REDIS_URI", "rediss://recingest:" + URLEncoder.encode(PASSWORD, StandardCharsets.UTF_8)
                .replace("+", "%20") + "@127.0.0.1:" + redis.port());
        try (RedisConnections redisClient = new RedisConnections(RedisConfig.from(Settings.of(s)));
             RedisConnection c = redisClient.connect()) {
            assertEquals("PONG", c.sync().ping());
        }
    }

    @Test
    void aWrongPasswordIsRefusedWithoutShowingIt() {
        RedisConnectionException e = refused(Map.of("RECINGEST_REDIS_PASSWORD", "not-the-password"));
        assertFalse(String.valueOf(e.getMessage()).contains("not-the-password"), e.getMessage());
        assertTrue(rootMessage(e).contains("WRONGPASS"), rootMessage(e));
        refused(Map.of("RECINGEST_REDIS_URI", "rediss://127.0.0.1:" + redis.port()));
    }

    @Test
    void plainTextAnUntrustedServerAndAClientWithoutCertificateAreRefused() {
        refused(Map.of("RECINGEST_REDIS_URI", "redis://recingest@127.0.0.1:" + redis.port()));
        Map<String, String> noCa = new HashMap<>(settings);
        noCa.remove("RECINGEST_REDIS_TLS_CA");
        refusedWith(noCa);
        Map<String, String> noClientCert = new HashMap<>(settings);
        noClientCert.remove("RECINGEST_REDIS_TLS_CERT");
        noClientCert.remove("RECINGEST_REDIS_TLS_KEY");
        refusedWith(noClientCert);
    }

    @Test
    void deployReadmeRecommendsExactlyTheAclUserTestedHere() throws IOException {
        String readme = Files.readString(Path.of("..", "deploy", "README.md"));
        String documented = ACL.replace("#" + sha256Hex(PASSWORD), ">CHANGE-ME");
        assertTrue(readme.contains(documented + "\n"), "deploy/README.md, section Redis, shows: " + documented);
    }

    private static RedisConnectionException refused(Map<String, String> changes) {
        Map<String, String> s = new HashMap<>(settings);
        s.putAll(changes);
        return refusedWith(s);
    }

    private static RedisConnectionException refusedWith(Map<String, String> s) {
        try (RedisConnections redisClient = new RedisConnections(RedisConfig.from(Settings.of(s)))) {
            RedisConnectionException e = assertThrows(RedisConnectionException.class, () -> {
                try (RedisConnection c = redisClient.connect()) {
                    c.sync().ping();
                }
            });
            return e;
        }
    }

    private static String rootMessage(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append(" / ");
        }
        return all.toString();
    }

    static String sha256Hex(String s) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A CA, a server certificate for 127.0.0.1 and a client certificate, PEM, keys in PKCS#8. */
    private static void certificates(Path d) throws Exception {
        Files.writeString(d.resolve("server.ext"), "subjectAltName=IP:127.0.0.1\n");
        Files.writeString(d.resolve("client.ext"), "extendedKeyUsage=clientAuth\n");
        must(d, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt",
                "-days", "2", "-subj", "/CN=recingest-test-ca");
        for (String who : List.of("server", "client")) {
            must(d, "openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", who + ".key", "-out", who + ".csr",
                    "-subj", "/CN=recingest-test-" + who);
            must(d, "openssl", "x509", "-req", "-in", who + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key",
                    "-CAcreateserial", "-out", who + ".crt", "-days", "2", "-extfile", who + ".ext");
        }
    }

    private static void must(Path d, String... command) throws Exception {
        if (run(d, command) != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed");
        }
    }

    private static int run(Path d, String... command) {
        try {
            Process p = new ProcessBuilder(command).directory(d.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(60, TimeUnit.SECONDS) ? p.exitValue() : -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
