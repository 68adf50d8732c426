package dev.recingest.live;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.recingest.events.EventPublisher;
import dev.recingest.merge.MergeWorker;
import dev.recingest.merge.TestCluster;
import dev.recingest.protocol.Mode;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.RedisConnection;
import io.lettuce.core.ScriptOutputType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A merger keeps the leases of many renditions while Redis answers slowly. 30 renditions (recordings started, no
 * chunk yet: they wait for it, renewing their 3 s leases every second) while the real Redis is kept busy: a script
 * that spins for 250 ms, again and again for 12 s, so that every command waits up to a quarter of a second, as under
 * the benchmark's load (BENCHMARKS.md 10.1). The renewals of all renditions share the worker's two scheduler
 * threads: when each renewal waited for Redis's answer on one of them, 30 renewals a second at up to 250 ms each
 * were more than two threads could do, they fell behind and leases lapsed (the benchmark: 149 leases lost with 200
 * recordings). Now a renewal is sent without waiting: every rendition keeps its lease.
 */
class LiveRenewalsIT {

    private static final int RENDITIONS = 30;
    private static final String SPIN = "local t = redis.call('TIME') local start = t[1] * 1000000 + t[2] "
            + "repeat t = redis.call('TIME') until t[1] * 1000000 + t[2] - start >= tonumber(ARGV[1]) return 1";

    @TempDir
    Path dir;

    @Test
    void manyRenditionsKeepTheirLeasesWhileRedisAnswersSlowly() throws Exception {
        try (TestCluster cluster = new TestCluster(dir)) {
            LiveConfig config = new LiveConfig(true, Duration.ofSeconds(2), RENDITIONS, RENDITIONS, Duration.ofSeconds(3),
                    Duration.ofMillis(100), Duration.ofSeconds(60));
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            try (MergeWorker merger = MergeWorker.start(cluster.config(dir.resolve("work"), Map.of()), cluster.redis,
                    cluster.recordings, cluster.storage, new SimpleMeterRegistry(), EventPublisher.none(),
                    new LiveOutputs(config, cluster.recordings.liveIndex(), cluster.storage, cluster.storage));
                 LiveWorker live = LiveWorker.start(config, cluster.recordings, cluster.storage, cluster.storage,
                         cluster.storage, EventPublisher.none(), merger.workSpace(), registry);
                 RedisConnection busy = cluster.redis.connect()) {
                for (int i = 0; i < RENDITIONS; i++) {
                    RecordingId id = RecordingId.of(String.format(Locale.ROOT, "live-renew-%02d", i));
                    cluster.recordings.ledger().start(id, "video/mp2t", Mode.STREAM, null).join();
                }
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (live.renditions() < RENDITIONS && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertEquals(RENDITIONS, live.renditions(), "renditions taken");
                long until = System.nanoTime() + Duration.ofSeconds(12).toNanos();
                while (System.nanoTime() < until) {
                    busy.sync().eval(SPIN, ScriptOutputType.INTEGER, new String[0], "250000");
                }
                Thread.sleep(1000);
                Counter lost = registry.find("recingest_live_renditions_total").tag("outcome", "lease-lost").counter();
                assertEquals(0.0, lost == null ? 0.0 : lost.count(), "renditions that lost their lease");
                assertEquals(RENDITIONS, live.renditions(), "renditions still running");
                for (int i = 0; i < RENDITIONS; i++) {
                    RecordingId id = RecordingId.of(String.format(Locale.ROOT, "live-renew-%02d", i));
                    assertEquals(true, cluster.recordings.liveIndex().held(id).join(), id + "'s lease is held");
                }
            }
        }
    }
}
