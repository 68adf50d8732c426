package dev.recingest.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recingest.client.admin.AdminClient;
import dev.recingest.client.admin.RecordingStatus;
import dev.recingest.embedded.RedisUnderTest;
import dev.recingest.protocol.Message;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Recordings streaming through gateways while Redis fails over underneath them: each is the real
 * {@link dev.recingest.client.IngestClient} sending a media file's byte ranges at a steady pace
 * ({@link Recorder}); the failover runs on a thread of its own once the recordings are under way. Afterwards
 * every recording must have completed with every chunk object exactly what was sent, none twice
 * ({@link FailureCluster#assertChunksExact}) and a playable MP4 as long as the source.
 */
final class FailoverUnderLoad implements AutoCloseable {

    /** What the failover reports back: when Redis lost its master, and how far the promoted replica had come. */
    interface Failover {
        /**
         * Fails Redis over under the recordings; returns when a replica serves as master.
         *
         * @param ids the recordings under way
         */
        Outcome run(List<String> ids) throws Exception;
    }

    /**
     * @param killNanos     when the master was killed (System.nanoTime())
     * @param promotedNanos when the replica answered as the new master
     * @param replicaKnew   per recording (same order as the ids): the chunks the promoted replica recorded as
     *                      stored when it was promoted, or -1 for a recording not served by the failed master
     * @param storedAtKill  per recording: its chunk objects in storage right after the kill ({@link #stored})
     */
    record Outcome(long killNanos, long promotedNanos, List<Long> replicaKnew, List<Long> storedAtKill) {
    }

    /**
     * The figures of one run.
     *
     * @param affected          recordings whose keys were on the failed master
     * @param maxAckGapMillis   the longest time one affected recording went without an ack
     * @param medianAckGapMillis the median of that over the affected recordings
     * @param otherMaxGapMillis the longest time without an ack among the recordings on other masters (-1: none)
     * @param ackedAtKill       chunks of the affected recordings acked before the kill (as the clients saw it)
     * @param lostByRedis       chunks of the affected recordings in storage right after the kill that the promoted
     *                          replica did not record: what Redis lost and the gateways repaired from storage
     * @param nacks             nacks all recorders received
     * @param promotionMillis   kill to promotion
     */
    record Figures(int affected, long maxAckGapMillis, long medianAckGapMillis, long otherMaxGapMillis, long ackedAtKill,
                   long lostByRedis, long nacks, long promotionMillis) {

        @Override
        public String toString() {
            return String.format("%d recordings on the failed master: longest time without an ack %d ms (median %d ms; "
                            + "recordings on other masters: %s); %d chunks acked before the kill; %d chunks stored before the kill "
                            + "that the promoted replica lacked, repaired from storage; %d nacks in all; promotion %d ms after the kill",
                    affected, maxAckGapMillis, medianAckGapMillis, otherMaxGapMillis < 0 ? "none" : otherMaxGapMillis + " ms",
                    ackedAtKill, lostByRedis, nacks, promotionMillis);
        }
    }

    private final FailureCluster cluster;
    private final List<URI> gateways;
    private final AdminClient admin;
    private final List<byte[]> chunks;
    private final double seconds;

    /**
     * The stage both failover tests run on: a {@link FailureCluster} with a merger on {@code redis} and two
     * gateways in this JVM, and the recordings' chunks: a {@code seconds}-long MPEG-TS in 100 byte ranges.
     */
    static FailoverUnderLoad on(Path dir, RedisUnderTest redis, int seconds) throws java.io.IOException {
        FailureCluster cluster = new FailureCluster(dir, redis, true, Map.of());
        try {
            List<URI> ingest = new ArrayList<>();
            AdminClient admin = null;
            for (int i = 0; i < 2; i++) {
                int port = cluster.startInProcessGateway(Map.of()).port();
                ingest.add(FailureCluster.ingestUri(port));
                admin = admin == null ? cluster.admin(FailureCluster.httpBase(port)) : admin;
            }
            Path ts = Media.tsH264Aac(dir, seconds);
            return new FailoverUnderLoad(cluster, ingest, admin, Recorder.byteRanges(ts, (int) ((Files.size(ts) + 99) / 100)),
                    seconds);
        } catch (RuntimeException | java.io.IOException e) {
            cluster.close();
            throw e;
        }
    }

    /**
     * @param gateways the ingest URIs; recording i goes to gateway i modulo their number
     * @param seconds  the source's duration, which each MP4 must have
     */
    FailoverUnderLoad(FailureCluster cluster, List<URI> gateways, AdminClient admin, List<byte[]> chunks, double seconds) {
        this.cluster = cluster;
        this.gateways = gateways;
        this.admin = admin;
        this.chunks = chunks;
        this.seconds = seconds;
    }

    /**
     * Streams {@code count} recordings one chunk per {@code pace}, runs {@code failover} after {@code after}, and
     * checks every recording afterwards.
     */
    Figures run(String prefix, int count, Duration pace, Duration after, Failover failover) throws Exception {
        List<String> ids = new ArrayList<>();
        List<Recorder> recorders = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ids.add(prefix + "-" + i);
            recorders.add(new Recorder());
        }
        ExecutorService pool = Executors.newFixedThreadPool(count + 1);
        try {
            List<CompletableFuture<Message.Stopped>> runs = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int n = i;
                URI ingest = gateways.get(i % gateways.size());
                runs.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return recorders.get(n).record(Recorder.options(ingest, cluster.recorderToken()), ids.get(n),
                                "video/mp2t", chunks, pace, x -> { });
                    } catch (Exception e) {
                        throw new IllegalStateException(ids.get(n) + " failed: " + e, e);
                    }
                }, pool));
            }
            Thread.sleep(after.toMillis());
            Outcome outcome = failover.run(ids);
            for (int i = 0; i < count; i++) {
                Message.Stopped stopped = runs.get(i).get(3, TimeUnit.MINUTES);
                assertEquals(chunks.size(), stopped.chunks(), ids.get(i) + ": stopped with every chunk");
            }
            for (String id : ids) {
                RecordingStatus status = admin.awaitFinal(id, Duration.ofMinutes(3), Duration.ofMillis(250));
                assertTrue(status.isCompleted(), id + " ended " + status.state() + ": " + status.error());
                cluster.assertChunksExact(id, chunks);
                assertEquals(seconds, cluster.completedMp4Duration(admin, id), 0.5, id + ": MP4 duration");
            }
            return figures(recorders, outcome);
        } finally {
            pool.shutdownNow();
        }
    }

    /** The chunk objects each recording has in storage now, in the order of {@code ids}. */
    List<Long> stored(List<String> ids) {
        return ids.stream().map(id -> (long) cluster.s3().listChunks(dev.recingest.protocol.RecordingId.of(id)).join().size())
                .toList();
    }

    private static Figures figures(List<Recorder> recorders, Outcome o) {
        List<Long> affectedGaps = new ArrayList<>();
        long otherMax = -1;
        long ackedAtKill = 0;
        long lost = 0;
        long nacks = 0;
        for (int i = 0; i < recorders.size(); i++) {
            Recorder r = recorders.get(i);
            nacks += r.nacks.get();
            long gap = longestGap(r.ackNanos) / 1_000_000;
            long knew = o.replicaKnew().get(i);
            if (knew < 0) {
                otherMax = Math.max(otherMax, gap);
                continue;
            }
            affectedGaps.add(gap);
            ackedAtKill += r.ackNanos.stream().filter(t -> t < o.killNanos()).count();
            lost += Math.max(0, o.storedAtKill().get(i) - knew);
        }
        affectedGaps.sort(null);
        return new Figures(affectedGaps.size(), affectedGaps.isEmpty() ? 0 : affectedGaps.get(affectedGaps.size() - 1),
                affectedGaps.isEmpty() ? 0 : affectedGaps.get(affectedGaps.size() / 2), otherMax, ackedAtKill, lost, nacks,
                (o.promotedNanos() - o.killNanos()) / 1_000_000);
    }

    /**
     * The longest time between two consecutive acks of one recording: its longest time without an ack. (Measured
     * over the whole recording, not from the kill: on a loaded machine an ack for a write made before the kill can
     * reach the client after it.)
     */
    private static long longestGap(List<Long> acks) {
        List<Long> sorted = acks.stream().sorted().toList();
        long longest = 0;
        for (int i = 1; i < sorted.size(); i++) {
            longest = Math.max(longest, sorted.get(i) - sorted.get(i - 1));
        }
        return longest;
    }

    /** The gateways' ingest URIs. */
    List<URI> gateways() {
        return gateways;
    }

    FailureCluster cluster() {
        return cluster;
    }

    AdminClient admin() {
        return admin;
    }

    /** Stops the gateways, the merger and the S3 server (not the Redis: its owner closes it). */
    @Override
    public void close() {
        cluster.close();
    }
}
