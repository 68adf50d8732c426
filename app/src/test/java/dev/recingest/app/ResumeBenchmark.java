package dev.recingest.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.recingest.client.ClientListener;
import dev.recingest.client.ClientOptions;
import dev.recingest.client.CloseStatus;
import dev.recingest.client.IngestClient;
import dev.recingest.embedded.FreePort;
import dev.recingest.protocol.Message;
import dev.recingest.protocol.Mode;
import dev.recingest.protocol.RecordingId;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resume time under gateway deaths: three gateway JVMs behind the repository's nginx, one of them killed
 * with {@code kill -9} every 10 s (round robin; each is started again on its port 5 s later, and the next
 * kill waits for it to be ready), and 30
 * recordings streaming (an 8 KiB chunk every 200 ms each) through nginx with the real {@link IngestClient}
 * and its default options. For every
 * recording that was on a killed gateway it takes the time from the kill to the first ack after the
 * client's resume, and from the moment the client saw its connection close to that ack, and prints
 * p50/p90/p99/max of both. It asserts only what a user relies on: every recording stops with all its
 * chunks, each chunk object exactly what was sent (SHA-256), none missing or twice.
 *
 * <p>Not part of the suite (its name matches neither *Test nor *IT); about two minutes:
 * {@code ./mvnw verify -pl app -am -Dit.test=ResumeBenchmark -Dtest=NoSuchTest
 * -Dsurefire.failIfNoSpecifiedTests=false} ({@code -Dresume.seconds=60 -Dresume.recordings=30
 * -Dresume.killEverySeconds=10} change the run; {@code -Dresume.jvm=test} starts the gateways with the failure
 * tests' C1-only flags instead of the Dockerfile's; {@code -Dgateway.cds=true} runs them as the image does, the packaged jar with its class-data archive ({@link GatewayProcess#productionArchive()}); {@code -Dresume.list=always} makes every resume list storage, as
 * before Redis's proof spared it; {@code -Dresume.balance="random two least_conn"} replaces nginx's balancing).
 * Next to the client's figures it prints the gateways' side of each resume by phase, read from their log lines
 * ({@link ResumeBreakdown}), which gateway took the resumes, and the CPU around each kill.
 */
@Tag("benchmark")
class ResumeBenchmark {

    private static final int SECONDS = Integer.getInteger("resume.seconds", 60);
    private static final int RECORDINGS = Integer.getInteger("resume.recordings", 30);
    private static final int KILL_EVERY_SECONDS = Integer.getInteger("resume.killEverySeconds", 10);
    private static final Duration PACE = Duration.ofMillis(200);
    private static final int CHUNK_BYTES = 8 << 10;
    /**
     * The gateways' JVM flags: the Dockerfile's (default), or {@code -Dresume.jvm=test} for the failure tests'
     * C1-only, paranoid-leak-detection JVMs (how this benchmark ran before).
     */
    private static final GatewayProcess.Jvm JVM = GatewayProcess.Jvm.valueOf(
            System.getProperty("resume.jvm", "production").toUpperCase(Locale.ROOT));
    /** nginx's balancing directive instead of the repository's ({@code -Dresume.balance="random two least_conn"}). */
    private static final String BALANCE = System.getProperty("resume.balance");
    /**
     * {@code -Dresume.list=always}: before each kill, every recording's agreement mark is removed from Redis, so that
     * every resume lists storage as it did before the mark existed (the same code, for an A/B in one sitting).
     */
    private static final boolean ALWAYS_LIST = "always".equals(System.getProperty("resume.list"));

    @TempDir
    Path dir;

    @Test
    void resumeAfterKill9BehindNginx() throws Exception {
        Optional<Path> binary = Nginx.binary();
        Assumptions.assumeTrue(binary.isPresent(), "no nginx binary: skipping");
        try (FailureCluster cluster = new FailureCluster(dir, false)) {
            List<GatewayProcess> gateways = new CopyOnWriteArrayList<>();
            List<CompletableFuture<GatewayProcess>> starting = new ArrayList<>();
            for (String name : List.of("gw-a", "gw-b", "gw-c")) {
                starting.add(CompletableFuture.supplyAsync(
                        () -> cluster.startGatewayProcess(name, FreePort.pick(), JVM, Map.of())));
            }
            for (CompletableFuture<GatewayProcess> f : starting) {
                gateways.add(f.get());
            }
            // No passive health marking (max_fails=0): nginx counts a failed gateway as recovered only when a
            // request to it *ends*, and an upgraded WebSocket ends with its recording, so a restarted
            // gateway got one new connection per fail_timeout and, with the other two killed in turn,
            // nginx answered 502 (no live upstreams). A killed gateway refuses connections at once; nginx
            // tries the next one (proxy_next_upstream error).
            try (Nginx nginx = Nginx.start(binary.get(), dir.resolve("nginx"), gateways.stream().map(g -> g.port).toList(),
                    "max_fails=0", BALANCE)) {
                run(cluster, nginx, gateways);
            } finally {
                keepLogs();
            }
        }
    }

    /**
     * The gateway's part of a resume alone, against the recording's length: one in-process gateway, a recording
     * of N chunks written, then 40 resumes of it in a row, each timed from {@code start} sent to {@code started}
     * received: in turn one that lists storage (the recording's agreement mark removed first) and one that Redis's
     * proof spares the listing. (A repair from storage listed the whole recording once; then only what lies above
     * Redis's record of stored chunks; now nothing unless Redis cannot prove it lost nothing.)
     */
    @Test
    void resumeStartAgainstRecordingLength() throws Exception {
        try (FailureCluster cluster = new FailureCluster(dir, false)) {
            dev.recingest.gateway.GatewayServer gateway = cluster.startInProcessGateway(Map.of(
                    "RECINGEST_MAX_CHUNKS_PER_SECOND", "0"));
            java.net.URI uri = FailureCluster.ingestUri(gateway.port());
            for (int n : new int[] {10, 1000, 3000}) {
                String id = "resume-cost-" + n;
                try (dev.recingest.client.RawWebSocket ws = dev.recingest.client.RawWebSocket.connect(uri,
                        cluster.recorderToken())) {
                    ws.sendMessage(new Message.Start(id, "video/mp2t", "stream", null, null)).join();
                    ws.expect(Message.Started.class, java.time.Duration.ofSeconds(30));
                    for (int seq = 0; seq < n; seq++) {
                        ws.sendChunk(seq, new byte[1024]).join();
                        if (seq % 200 == 199 || seq == n - 1) {
                            for (int k = seq - seq % 200; k <= seq; k++) {
                                ws.expect(Message.Ack.class, java.time.Duration.ofSeconds(60));
                            }
                        }
                    }
                }
                // In turn, so that both see the same machine: a resume that lists (its agreement mark removed
                // first, as every resume was before the mark) and one that Redis's proof spares the listing.
                List<Long> listing = new ArrayList<>();
                List<Long> proven = new ArrayList<>();
                for (int r = 0; r < 40; r++) {
                    boolean list = r % 2 == 0;
                    if (list) {
                        cluster.backends.connection().sync().hdel(
                                new dev.recingest.state.RecordingKeys(RecordingId.of(id)).meta(),
                                dev.recingest.state.MetaFields.AGREED_ON);
                    }
                    try (dev.recingest.client.RawWebSocket ws = dev.recingest.client.RawWebSocket.connect(uri,
                            cluster.recorderToken())) {
                        long t0 = System.nanoTime();
                        ws.sendMessage(new Message.Start(id, "video/mp2t", "stream", null, null)).join();
                        Message.Started started = ws.expect(Message.Started.class, java.time.Duration.ofSeconds(30));
                        (list ? listing : proven).add((System.nanoTime() - t0) / 1000);
                        assertEquals(n, started.nextSeq());
                    }
                }
                Collections.sort(listing);
                Collections.sort(proven);
                double a = listing.get(listing.size() / 2) / 1000.0;
                double b = proven.get(proven.size() / 2) / 1000.0;
                System.out.printf(Locale.ROOT, "resume start: recording of %d chunks: start to started p50 %.1f ms"
                        + " listing (max %.1f), %.1f ms with Redis's proof (max %.1f), ratio %.2f (20 resumes each, in"
                        + " turn)%n", n, a, listing.get(listing.size() - 1) / 1000.0, b,
                        proven.get(proven.size() - 1) / 1000.0, b / a);
            }
        }
    }

    private void run(FailureCluster cluster, Nginx nginx, List<GatewayProcess> gateways) throws Exception {
        List<Long> kills = new CopyOnWriteArrayList<>();
        // The gateway started last: under least_conn, every kill's clients resume on it.
        java.util.concurrent.atomic.AtomicLong newestPid = new java.util.concurrent.atomic.AtomicLong(
                gateways.get(gateways.size() - 1).pid());
        List<String> replacements = new CopyOnWriteArrayList<>();
        ResumeBreakdown.CpuSampler cpu = new ResumeBreakdown.CpuSampler(newestPid::get);
        List<Stream> streams = new ArrayList<>();
        ClientOptions options = ClientOptions.defaults(nginx.ingestUri(), cluster.recorderToken());
        for (int r = 0; r < RECORDINGS; r++) {
            streams.add(new Stream("resume-" + r, kills));
        }
        List<CompletableFuture<Message.Stopped>> running = new ArrayList<>();
        Floor floor = new Floor(options);
        Thread floorThread = new Thread(floor::run, "resume-floor");
        floorThread.start();
        for (Stream s : streams) {
            running.add(CompletableFuture.supplyAsync(() -> s.record(options)));
            Thread.sleep(20); // spread the starts, so least_conn spreads the recordings
        }
        // The last replacement JVM is waited for whatever happens: one that started after the cluster closed
        // would outlive the test.
        CompletableFuture<?>[] restart = {CompletableFuture.completedFuture(null)};
        try {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
            long nextKill = System.nanoTime() + TimeUnit.SECONDS.toNanos(KILL_EVERY_SECONDS);
            for (int k = 0; nextKill < end - TimeUnit.SECONDS.toNanos(2); k++) {
                Thread.sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(nextKill - System.nanoTime())));
                // A JVM takes seconds to start on a busy machine: the next kill waits until the last one's
                // replacement is ready, so two gateways are always up when one dies.
                restart[0].get(3, TimeUnit.MINUTES);
                int slot = k % gateways.size();
                GatewayProcess victim = gateways.get(slot);
                if (ALWAYS_LIST) {
                    for (Stream s : streams) {
                        cluster.backends.connection().sync().hdel(
                                new dev.recingest.state.RecordingKeys(RecordingId.of(s.id)).meta(),
                                dev.recingest.state.MetaFields.AGREED_ON);
                    }
                }
                kills.add(System.nanoTime());
                victim.kill9();
                nextKill = System.nanoTime() + TimeUnit.SECONDS.toNanos(KILL_EVERY_SECONDS);
                int incarnation = k;
                // The replacement starts half an interval later: a JVM starting on these two shared cores would
                // take the CPU from the resumes being measured, where in production it starts on another host.
                restart[0] = CompletableFuture.runAsync(() -> {
                    sleep(KILL_EVERY_SECONDS * 500L);
                    long t0 = System.nanoTime();
                    GatewayProcess g = cluster.startGatewayProcess(victim.name + "-" + incarnation, victim.port, JVM,
                            Map.of());
                    long wall = (System.nanoTime() - t0) / 1_000_000;
                    newestPid.set(g.pid());
                    gateways.set(slot, g);
                    replacements.add(String.format(Locale.ROOT, "%s ready in %d ms, %.2f CPU s", g.name, wall,
                            ResumeBreakdown.processTicks(g.pid()) / 100.0));
                });
            }
            long left = end - System.nanoTime();
            if (left > 0) {
                Thread.sleep(TimeUnit.NANOSECONDS.toMillis(left));
            }
            streams.forEach(Stream::finish);
            floor.finish = true;
            floorThread.join(TimeUnit.MINUTES.toMillis(2));
            for (int r = 0; r < streams.size(); r++) {
                Message.Stopped stopped = running.get(r).get(3, TimeUnit.MINUTES);
                streams.get(r).assertStoredExactly(cluster, stopped);
            }
            restart[0].get(3, TimeUnit.MINUTES);
        } finally {
            cpu.close();
            streams.forEach(Stream::finish);
            floor.finish = true;
            try {
                restart[0].get(3, TimeUnit.MINUTES);
            } catch (Exception e) {
                System.out.println("resume: a replacement gateway did not start: " + e);
            }
        }
        List<Long> fromKill = new ArrayList<>();
        List<Long> killToClose = new ArrayList<>();
        List<Long> fromClose = new ArrayList<>();
        List<Long> toStarted = new ArrayList<>();
        List<Long> toAck = new ArrayList<>();
        List<Long> acks = new ArrayList<>();
        int reconnects = 0;
        for (Stream s : streams) {
            fromKill.addAll(s.fromKillMillis);
            killToClose.addAll(s.killToCloseMillis);
            fromClose.addAll(s.fromCloseMillis);
            toStarted.addAll(s.closeToStartedMillis);
            toAck.addAll(s.startedToAckMillis);
            acks.addAll(s.ackMillis);
            reconnects += s.reconnects;
        }
        System.out.printf(Locale.ROOT, "resume: %d recordings, %d s, kill -9 every %d s (%d kills), %d reconnects,"
                        + " %d resumes measured; 0 lost, 0 duplicated (checked); gateway JVMs: %s %s; nginx: %s;"
                        + " resumes list storage: %s%n", RECORDINGS, SECONDS, KILL_EVERY_SECONDS, kills.size(), reconnects,
                fromKill.size(), JVM, JVM.options, BALANCE == null ? "the repository's balancing" : BALANCE,
                ALWAYS_LIST ? "always (-Dresume.list=always)" : "when Redis cannot prove it lost nothing");
        System.out.println("resume: kill to first ack after resume:        " + percentiles(fromKill));
        System.out.println("resume:   of which kill to the close the client saw:          " + percentiles(killToClose));
        System.out.println("resume: close seen by client to first ack:     " + percentiles(fromClose));
        System.out.println("resume:   of which close to started (reconnect, nginx, start): " + percentiles(toStarted));
        System.out.println("resume:   and started to first ack (a resent chunk stored):    " + percentiles(toAck));
        System.out.println("resume: baseline, send to ack without an outage (same run): " + percentiles(acks));
        System.out.println("resume: floor, a new connection through nginx to its first ack (same run): "
                + percentiles(floor.millis) + (floor.failures > 0 ? "; " + floor.failures + " probes failed" : ""));
        if (!floor.millis.isEmpty() && !fromClose.isEmpty()) {
            List<Long> a = new ArrayList<>(fromClose);
            List<Long> b = new ArrayList<>(floor.millis);
            Collections.sort(a);
            Collections.sort(b);
            System.out.printf(Locale.ROOT, "resume: close to first ack over the floor: p50 %.2f, p99 %.2f%n",
                    (double) at(a, 0.50) / Math.max(1, at(b, 0.50)), (double) at(a, 0.99) / Math.max(1, at(b, 0.99)));
        }
        printBreakdown(kills, cpu, replacements);
        System.out.println("resume: machine load average at the end: " + java.lang.management.ManagementFactory
                .getOperatingSystemMXBean().getSystemLoadAverage());
    }

    /**
     * The gateways' side of each resume, phase by phase (their log lines' timing fields), next to the same run's
     * new starts of the floor's probes; which gateway took the resumes; and the CPU around each kill.
     */
    private void printBreakdown(List<Long> kills, ResumeBreakdown.CpuSampler cpu, List<String> replacements)
            throws java.io.IOException {
        List<Path> logs;
        try (var files = java.nio.file.Files.list(dir)) {
            logs = files.filter(f -> f.getFileName().toString().startsWith("gw-") && f.toString().endsWith(".log"))
                    .sorted().toList();
        }
        Map<String, List<Long>> resumed = ResumeBreakdown.phases(logs, "recording resumed",
                java.util.regex.Pattern.compile("resume-\\d+"));
        Map<String, List<Long>> fresh = ResumeBreakdown.phases(logs, "recording started",
                java.util.regex.Pattern.compile("resume-floor-\\d+"));
        System.out.println("resume: the gateway's side, accept to started, by phase (resumes | the floor's new starts):");
        for (Map.Entry<String, List<Long>> e : resumed.entrySet()) {
            System.out.printf(Locale.ROOT, "resume:   %-14s %s | %s%n", e.getKey(), percentiles(e.getValue()),
                    percentiles(fresh.getOrDefault(e.getKey(), List.of())));
        }
        System.out.println("resume: resumes per gateway log: " + ResumeBreakdown.count(logs, "recording resumed"));
        System.out.println("resume: replacement JVMs: " + replacements);
        for (int k = 0; k < kills.size(); k++) {
            long at = kills.get(k);
            long s2 = TimeUnit.SECONDS.toNanos(2);
            System.out.printf(Locale.ROOT, "resume: kill %d: machine busy %.0f%% in the 2 s before, %.0f%% in the 2 s after;"
                            + " the gateway started last: %.0f%% / %.0f%% of a CPU%n", k + 1,
                    cpu.machineBusy(at - s2, at), cpu.machineBusy(at, at + s2), cpu.newestCpu(at - s2, at),
                    cpu.newestCpu(at, at + s2));
        }
    }

    /** The gateways' and nginx's logs, copied to target/resume-logs for a look after the run. */
    private void keepLogs() throws java.io.IOException {
        Path out = Path.of("target", "resume-logs");
        java.nio.file.Files.createDirectories(out);
        try (var files = java.nio.file.Files.walk(dir)) {
            for (Path f : files.filter(f -> f.toString().endsWith(".log")).toList()) {
                java.nio.file.Files.copy(f, out.resolve(dir.relativize(f).toString().replace('/', '-')),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static String percentiles(List<Long> millis) {
        if (millis.isEmpty()) {
            return "no samples";
        }
        List<Long> sorted = new ArrayList<>(millis);
        Collections.sort(sorted);
        return String.format(Locale.ROOT, "p50 %d ms, p90 %d ms, p99 %d ms, max %d ms (n=%d)", at(sorted, 0.50),
                at(sorted, 0.90), at(sorted, 0.99), sorted.get(sorted.size() - 1), sorted.size());
    }

    private static long at(List<Long> sorted, double q) {
        return sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(q * sorted.size()) - 1));
    }

    /**
     * The same run's floor for any resume: every 2 s a new client connects through nginx, starts a new recording
     * and sends one chunk; the time from opening the connection to that chunk's ack is what a resume costs
     * without its repair and without noticing the death (the steps no design can skip: a new WebSocket through
     * the balancer, {@code start}, a chunk stored and acked), measured on the same loaded machine.
     */
    private static final class Floor {
        final ClientOptions options;
        final List<Long> millis = new CopyOnWriteArrayList<>();
        volatile boolean finish;
        volatile int failures;

        Floor(ClientOptions options) {
            this.options = options;
        }

        void run() {
            for (int n = 0; !finish; n++) {
                sleep(2_000);
                if (finish) {
                    return;
                }
                long t0 = System.nanoTime();
                boolean[] reconnected = {false};
                ClientListener listener = new ClientListener() {
                    @Override
                    public void onReconnecting(int attempt, CloseStatus cause) {
                        reconnected[0] = true;
                    }
                };
                try (IngestClient client = new IngestClient(options, listener)) {
                    client.start("resume-floor-" + n, "video/mp2t", Mode.STREAM, null).get(30, TimeUnit.SECONDS);
                    client.send(0, new byte[CHUNK_BYTES]).get(30, TimeUnit.SECONDS);
                    long took = (System.nanoTime() - t0) / 1_000_000;
                    if (reconnected[0]) {
                        failures++; // met a kill: that is a resume, not the floor
                    } else {
                        millis.add(took);
                    }
                    client.stop().get(60, TimeUnit.SECONDS);
                } catch (Exception e) {
                    // A probe that met the kill is not a floor sample; it is counted, not measured.
                    failures++;
                }
            }
        }
    }

    /** One recording: a tagged chunk every {@link #PACE} until told to finish, and what its client saw. */
    private static final class Stream implements ClientListener {
        final String id;
        final List<Long> kills;
        final List<byte[]> sent = new ArrayList<>();
        final List<Long> fromKillMillis = new CopyOnWriteArrayList<>();
        final List<Long> killToCloseMillis = new CopyOnWriteArrayList<>();
        final List<Long> fromCloseMillis = new CopyOnWriteArrayList<>();
        final List<Long> closeToStartedMillis = new CopyOnWriteArrayList<>();
        final List<Long> startedToAckMillis = new CopyOnWriteArrayList<>();
        /** Send to ack of chunks sent and acked on one connection: the same run's baseline. */
        final List<Long> ackMillis = new CopyOnWriteArrayList<>();
        private final java.util.Map<Long, Long> sentAt = new java.util.concurrent.ConcurrentHashMap<>();
        volatile boolean finish;
        volatile int reconnects;
        /** When the client saw the current outage begin (0: none), and whether it has resumed since. */
        private volatile long outageSince;
        private volatile long resumedAt;
        private volatile boolean resumed;

        Stream(String id, List<Long> kills) {
            this.id = id;
            this.kills = kills;
        }

        void finish() {
            finish = true;
        }

        Message.Stopped record(ClientOptions options) {
            try (IngestClient client = new IngestClient(options, this)) {
                client.start(id, "video/mp2t", Mode.STREAM, null).get(60, TimeUnit.SECONDS);
                for (int seq = 0; !finish; seq++) {
                    byte[] chunk = new byte[CHUNK_BYTES];
                    ThreadLocalRandom.current().nextBytes(chunk);
                    byte[] tag = (id + ":" + seq + ":").getBytes(StandardCharsets.US_ASCII);
                    System.arraycopy(tag, 0, chunk, 0, tag.length);
                    sent.add(chunk);
                    sentAt.put((long) seq, System.nanoTime());
                    client.send(seq, chunk);
                    Thread.sleep(PACE.toMillis());
                }
                return client.stop().get(2, TimeUnit.MINUTES);
            } catch (Exception e) {
                throw new AssertionError(id + " failed", e);
            }
        }

        @Override
        public void onReconnecting(int attempt, CloseStatus cause) {
            reconnects++;
            if (outageSince == 0) {
                outageSince = System.nanoTime();
                resumed = false;
                long since = outageSince;
                kills.stream().filter(k -> k <= since).reduce((a, b) -> b)
                        .ifPresent(k -> killToCloseMillis.add((since - k) / 1_000_000));
            }
        }

        @Override
        public void onResumed(Message.Started started) {
            resumedAt = System.nanoTime();
            resumed = true;
        }

        @Override
        public void onMessage(Message message) {
            if (message instanceof Message.Ack a && outageSince == 0) {
                Long at = sentAt.remove(a.seq());
                if (at != null && at > resumedAt) {
                    ackMillis.add((System.nanoTime() - at) / 1_000_000);
                }
            }
            if (message instanceof Message.Ack && resumed && outageSince != 0) {
                long now = System.nanoTime();
                long since = outageSince;
                outageSince = 0;
                resumed = false;
                fromCloseMillis.add((now - since) / 1_000_000);
                closeToStartedMillis.add((resumedAt - since) / 1_000_000);
                startedToAckMillis.add((now - resumedAt) / 1_000_000);
                long kill = kills.stream().filter(k -> k <= since).reduce((a, b) -> b).orElse(since);
                fromKillMillis.add((now - kill) / 1_000_000);
            }
        }

        void assertStoredExactly(FailureCluster cluster, Message.Stopped stopped) {
            assertEquals(sent.size(), stopped.chunks(), id + ": chunks in the stopped reply");
            RecordingId rid = RecordingId.of(id);
            assertEquals(sent.size(), cluster.s3().listChunks(rid).join().size(), id + ": chunk objects, none twice");
            for (int i = 0; i < sent.size(); i++) {
                assertEquals(Media.sha256(sent.get(i)), Media.sha256(cluster.s3().getChunk(rid, i).join()),
                        id + ": chunk " + i);
            }
        }
    }
}
