package dev.recingest.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recingest.client.ClientOptions;
import dev.recingest.client.admin.AdminClient;
import dev.recingest.agent.push.ByteRangeSource;
import dev.recingest.agent.push.ChunkSource;
import dev.recingest.agent.push.PushRequest;
import dev.recingest.agent.push.PushResult;
import dev.recingest.agent.push.RecordingPusher;
import dev.recingest.agent.push.SegmentSource;
import dev.recingest.config.Settings;
import dev.recingest.protocol.Json;
import dev.recingest.protocol.Mode;
import dev.recingest.protocol.RecordingId;
import dev.recingest.storage.S3Store;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Twenty recordings at once through one gateway and one merger: all complete, indices dense, none twice. */
class ConcurrencyIT {

    private static final int RECORDINGS = 20;
    private static final int SECONDS = 6;

    @TempDir
    Path dir;

    @Test
    void twentyRecordingsAtOnceAllComplete() throws Exception {
        Path source = Media.tsH264Aac(dir, SECONDS);
        try (EmbeddedCluster cluster = EmbeddedCluster.start(Settings.of(Map.of("RECINGEST_PORT", "0",
                "RECINGEST_DATA_DIR", dir.resolve("data").toString())));
             SegmentSource segments = SegmentSource.cut(source, Duration.ofSeconds(1), Media.FFMPEG.ffmpeg(),
                     Duration.ofMinutes(1));
             ChunkSource ranges = new ByteRangeSource(source, 64 << 10, "video/mp2t")) {
            ExecutorService pool = Executors.newFixedThreadPool(RECORDINGS);
            List<Future<PushResult>> results = new ArrayList<>();
            for (int i = 0; i < RECORDINGS; i++) {
                // Half in segments mode, half in stream mode, all at the same time.
                boolean seg = i % 2 == 0;
                String id = "many-" + i;
                results.add(pool.submit(() -> new RecordingPusher(
                        ClientOptions.defaults(cluster.ingestUri(), cluster.recorderToken(Duration.ofHours(1))),
                        new AdminClient(cluster.httpBase(), cluster.adminToken()))
                        .push(seg ? segments : ranges, PushRequest.of(source, seg ? Mode.SEGMENTS : Mode.STREAM)
                                .withRecordingId(id).withMergeWait(true, Duration.ofMinutes(5)))));
            }
            S3Store s3 = cluster.backends().s3();
            for (int i = 0; i < RECORDINGS; i++) {
                PushResult r = results.get(i).get();
                ChunkSource sent = i % 2 == 0 ? segments : ranges;
                assertEquals("COMPLETED", r.state(), r.recordingId() + ": " + r.error());
                RecordingId id = RecordingId.of(r.recordingId());
                List<Long> expected = LongStream.range(0, sent.count()).boxed().toList();
                assertEquals(expected, List.copyOf(s3.listChunks(id).join().keySet()),
                        r.recordingId() + ": chunk objects are exactly 0..N-1");
                JsonNode manifest = Json.MAPPER.readTree(s3.getBytes(s3.keys().manifest(id)).join());
                List<Long> indices = new ArrayList<>();
                manifest.get("chunks").forEach(c -> indices.add(c.get("index").asLong()));
                assertEquals(expected, indices, r.recordingId() + ": manifest indices dense, no duplicates");
                assertEquals(SECONDS, r.output().durationSeconds(), 0.5, r.recordingId() + " duration");
            }
            pool.shutdownNow();
        }
    }
}
