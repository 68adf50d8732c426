package dev.recingest.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recingest.client.ClientException;
import dev.recingest.client.ClientListener;
import dev.recingest.client.ClientOptions;
import dev.recingest.client.CloseStatus;
import dev.recingest.client.IngestClient;
import dev.recingest.embedded.FreePort;
import dev.recingest.gateway.GatewayServer;
import dev.recingest.protocol.CloseCodes;
import dev.recingest.protocol.Message;
import dev.recingest.protocol.Mode;
import dev.recingest.protocol.RecordingId;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java client against real gateways, Redis and S3 server when its connection ends: a recording that
 * outlives its token (the gateway closes the connection with {@code TOKEN_EXPIRED}, 4401) resumes with a fresh
 * one from its token supplier, where one with a fixed token fails; and the clients of a gateway killed with
 * kill -9 (a launcher JVM; another then comes up on its port) try again at once, then after jittered
 * backoffs, not in lockstep. Chunks are random bytes (no merger); what is stored is checked byte for byte.
 */
class ClientReconnectIT {

    @TempDir
    Path dir;

    @Test
    void aRecordingWhoseTokenExpiresResumesWithAFreshOneFromItsSupplier() throws Exception {
        try (FailureCluster cluster = new FailureCluster(dir, false)) {
            // No leeway: the gateway closes a connection with TOKEN_EXPIRED (4401) as soon as its token expires.
            GatewayServer gateway = cluster.startInProcessGateway(Map.of("RECINGEST_JWT_LEEWAY", "0s"));
            URI ingest = FailureCluster.ingestUri(gateway.port());
            Duration life = Duration.ofSeconds(4);
            AtomicInteger issued = new AtomicInteger();
            ClientOptions supplied = ClientOptions.defaultsWithTokenSupplier(ingest, () -> {
                issued.incrementAndGet();
                return cluster.tokens.issueForPrefix("failure-tests", "", life);
            });
            ClientOptions fixed = ClientOptions.defaults(ingest, cluster.tokens.issueForPrefix("failure-tests", "", life));
            List<byte[]> chunks = randomChunks(4, 1);
            try (IngestClient withSupplier = new IngestClient(supplied); IngestClient withFixed = new IngestClient(fixed)) {
                withSupplier.start("token-supplied", "video/webm", Mode.STREAM, null).get(30, TimeUnit.SECONDS);
                withFixed.start("token-fixed", "video/webm", Mode.STREAM, null).get(30, TimeUnit.SECONDS);
                for (int i = 0; i < 2; i++) {
                    withSupplier.send(i, chunks.get(i)).get(30, TimeUnit.SECONDS);
                    withFixed.send(i, chunks.get(i)).get(30, TimeUnit.SECONDS);
                }
                // The recording outlives its first token: the gateway closes both connections with 4401.
                GatewayProcess.sleep(life.toMillis() + 2000);
                for (int i = 2; i < chunks.size(); i++) {
                    withSupplier.send(i, chunks.get(i)).get(60, TimeUnit.SECONDS);
                }
                Message.Stopped stopped = withSupplier.stop().get(60, TimeUnit.SECONDS);
                ClientException e = refusal(withFixed, chunks.get(2));
                System.out.printf("token supplier: %d tokens issued, stopped with %d chunks; fixed token: %s (close %d)%n",
                        issued.get(), stopped.chunks(), e.code(), e.closeCode());
                assertEquals(chunks.size(), stopped.chunks());
                assertTrue(issued.get() >= 2, "a token for the first connection and one for the resume: " + issued);
                assertEquals("TOKEN_EXPIRED", e.code(), e.toString());
                assertEquals(CloseCodes.UNAUTHORIZED, e.closeCode(), e.toString());
            }
            assertStored(cluster, "token-supplied", chunks);
        }
    }

    @Test
    void clientsOfADeadGatewayReconnectAtOnceThenWithJitterNotInLockstep() throws Exception {
        int clients = 15;
        Duration backoff = Duration.ofSeconds(2);
        try (FailureCluster cluster = new FailureCluster(dir, false)) {
            int port = FreePort.pick();
            GatewayProcess first = cluster.startGatewayProcess("gw-first", port, Map.of());
            URI ingest = FailureCluster.ingestUri(port);
            ClientOptions options = ClientOptions.defaults(ingest, cluster.recorderToken())
                    .withResend(8, backoff, Duration.ofSeconds(8)).withReconnectAttempts(8);
            Map<Integer, List<Long>> attempts = new ConcurrentHashMap<>();
            List<IngestClient> running = new ArrayList<>();
            List<List<byte[]>> sent = new ArrayList<>();
            try {
                for (int c = 0; c < clients; c++) {
                    List<Long> at = new CopyOnWriteArrayList<>();
                    attempts.put(c, at);
                    IngestClient client = new IngestClient(options, new ClientListener() {
                        @Override
                        public void onReconnecting(int attempt, CloseStatus cause) {
                            at.add(System.nanoTime());
                        }
                    });
                    running.add(client);
                    sent.add(randomChunks(2, c));
                    client.start("jitter-" + c, "video/webm", Mode.STREAM, null).get(30, TimeUnit.SECONDS);
                    client.send(0, sent.get(c).get(0)).get(30, TimeUnit.SECONDS);
                }
                first.kill9();
                // Every client has scheduled its third attempt: its first (at once) and second were refused.
                dev.recingest.testkit.Waits.until(() -> attempts.values().stream().allMatch(a -> a.size() >= 3),
                        Duration.ofSeconds(60), "every client's third reconnect attempt");
                cluster.startGatewayProcess("gw-second", port, Map.of());
                for (int c = 0; c < clients; c++) {
                    running.get(c).send(1, sent.get(c).get(1)).get(60, TimeUnit.SECONDS);
                    assertEquals(2, running.get(c).stop().get(60, TimeUnit.SECONDS).chunks());
                }
            } finally {
                running.forEach(IngestClient::close);
            }

            // The first attempt follows the close at once; the second waits a jittered backoff: between half
            // of it and all of it, drawn by each client on its own.
            long[] firstGapMs = new long[clients];
            long[] secondGapMs = new long[clients];
            for (int c = 0; c < clients; c++) {
                List<Long> at = attempts.get(c);
                firstGapMs[c] = TimeUnit.NANOSECONDS.toMillis(at.get(1) - at.get(0));
                secondGapMs[c] = TimeUnit.NANOSECONDS.toMillis(at.get(2) - at.get(1));
            }
            long spread = java.util.Arrays.stream(secondGapMs).max().orElseThrow()
                    - java.util.Arrays.stream(secondGapMs).min().orElseThrow();
            System.out.printf("%d clients of a dead gateway: first attempt refused after %s ms; second after %s ms "
                    + "(spread %d ms, backoff %d ms)%n", clients, java.util.Arrays.toString(firstGapMs),
                    java.util.Arrays.toString(secondGapMs), spread, backoff.toMillis());
            for (int c = 0; c < clients; c++) {
                assertTrue(firstGapMs[c] < backoff.toMillis() / 2, "client " + c + "'s first attempt went at once: "
                        + firstGapMs[c] + " ms");
                assertTrue(secondGapMs[c] >= backoff.toMillis() / 2, "client " + c + " waited at least half the "
                        + "backoff: " + secondGapMs[c] + " ms");
            }
            // Fifteen draws from a 1,000 ms range: all within 300 ms of each other has a chance below 1e-6.
            assertTrue(spread > 300, "the clients' second attempts are spread, not in lockstep: "
                    + java.util.Arrays.toString(secondGapMs));
            for (int c = 0; c < clients; c++) {
                assertStored(cluster, "jitter-" + c, sent.get(c));
            }
        }
    }

    /** The recording's chunk objects are exactly 0..N-1, each byte for byte what was sent. */
    private static void assertStored(FailureCluster cluster, String id, List<byte[]> sent) throws Exception {
        RecordingId rid = RecordingId.of(id);
        assertEquals(LongStream.range(0, sent.size()).boxed().toList(),
                List.copyOf(cluster.s3().listChunks(rid).join().keySet()), id + ": chunks 0..N-1, none twice");
        for (int i = 0; i < sent.size(); i++) {
            assertEquals(Media.sha256(sent.get(i)), Media.sha256(cluster.s3().getChunk(rid, i).join()), id + " chunk " + i);
        }
    }

    /** How sending {@code chunk} as seq 2 fails: at once once the client has failed, or when its resume fails. */
    private static ClientException refusal(IngestClient client, byte[] chunk) {
        try {
            client.send(2, chunk).get(60, TimeUnit.SECONDS);
        } catch (ClientException e) {
            return e;
        } catch (java.util.concurrent.ExecutionException e) {
            return assertInstanceOf(ClientException.class, e.getCause());
        } catch (Exception e) {
            throw new AssertionError("a resume with the expired fixed token did not fail: " + e, e);
        }
        throw new AssertionError("a resume with the expired fixed token was accepted");
    }

    private static List<byte[]> randomChunks(int n, long seed) {
        Random r = new Random(seed);
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] b = new byte[32 << 10];
            r.nextBytes(b);
            out.add(b);
        }
        return out;
    }
}
