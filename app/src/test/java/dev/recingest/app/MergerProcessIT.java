package dev.recingest.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recingest.config.Settings;
import dev.recingest.events.Outbox;
import dev.recingest.events.OutboxPublisher;
import dev.recingest.merge.MergeWorker;
import dev.recingest.merge.MergerConfig;
import dev.recingest.protocol.Mode;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.Recording;
import dev.recingest.state.RecordingState;
import dev.recingest.testkit.Backend;
import dev.recingest.testkit.Waits;
import dev.recingest.webhook.WebhookConfig;
import dev.recingest.webhook.WebhookDelivery;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mergers as separate processes ({@code Main merger} in a JVM of its own): one killed with kill -9 in
 * the middle of a merge, whose job another merger finishes; and one limited to a 256 MiB heap merging
 * more than 500 MiB.
 */
class MergerProcessIT {

    private static final Set<RecordingState> DONE = Set.of(RecordingState.COMPLETED, RecordingState.FAILED);
    private static final String WEBHOOK_SECRET = "merger-process-webhook-secret";

    @TempDir
    static Path dir;
    static Backend backend;
    static WebhookReceiver receiver;

    @BeforeAll
    static void up() {
        backend = Backend.start(dir);
        receiver = new WebhookReceiver(WEBHOOK_SECRET);
    }

    @AfterAll
    static void down() {
        receiver.close();
        backend.close();
    }

    private static Map<String, String> mergerEnv(String workDir) throws Exception {
        return backend.env(Map.of(
                "RECINGEST_MERGE_WORK_DIR", Files.createDirectories(dir.resolve(workDir)).toString(),
                "RECINGEST_MERGE_VISIBILITY_TIMEOUT", "4s",
                "RECINGEST_MERGE_POLL", "500ms",
                "RECINGEST_WEBHOOK_URLS", receiver.url().toString(),
                "RECINGEST_WEBHOOK_SECRET", WEBHOOK_SECRET,
                "RECINGEST_WEBHOOK_TIMEOUT", "2s",
                "RECINGEST_WEBHOOK_RETRY_BASE", "500ms",
                "RECINGEST_WEBHOOK_POLL", "500ms"));
    }

    @Test
    void aMergerKilledMidMergeIsReplacedAndTheRecordingCompletesOnce() throws Exception {
        RecordingId id = RecordingId.of("killed-merger");
        Path source = Media.webmVp8Opus(Files.createDirectories(dir.resolve("kill")), 12, "320x240");
        backend.writes.record(id, "video/webm;codecs=vp8,opus", Mode.STREAM, "{\"case\":\"" + id + "\"}",
                byteRanges(source, 64 << 10));
        Map<String, String> env = mergerEnv("work-killed");

        try (MergerProcess first = MergerProcess.start(env, List.of("-Xmx256m"), dir.resolve("merger-killed.log"))) {
            backend.store.mergeQueue().enqueue(id).join();
            Waits.until(first::runsMergingFfmpeg, Duration.ofSeconds(60), "the first merger runs FFmpeg on the recording");
            first.kill();
            assertEquals(RecordingState.MERGING, backend.store.get(id).join().orElseThrow().state(),
                    "killed in the middle of the merge:\n" + first.logTail());
        }

        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Settings settings = Settings.of(env);
        try (WebhookDelivery delivery = WebhookDelivery.start(WebhookConfig.from(settings), backend.redis, registry);
             MergeWorker second = MergeWorker.start(MergerConfig.from(settings), backend.redis, backend.store,
                     backend.s3, registry,
                     OutboxPublisher.create(Settings.of(Map.of()), backend.connection.async(), backend.store))) {
            Recording rec = backend.awaitState(id, DONE, Duration.ofSeconds(120));
            assertEquals(RecordingState.COMPLETED, rec.state(), () -> rec.errorCode() + ": " + rec.errorMessage());
            assertEquals(2, rec.mergeAttempts(), "the killed attempt and the one that completed");
            Waits.until(() -> !receiver.events(id.value(), "recording.completed").isEmpty()
                    && outboxPending(WebhookConfig.from(settings)) == 0, Duration.ofSeconds(60), "the webhook arrived");

            List<JsonNode> completed = receiver.events(id.value(), "recording.completed");
            Set<String> eventIds = new TreeSet<>();
            for (JsonNode e : completed) {
                eventIds.add(e.get("id").asText());
                JsonNode out = e.get("recording").get("output");
                assertEquals(rec.outputKey(), out.get("key").asText(), "every completed event names the one output");
                assertEquals(rec.outputSize().longValue(), out.get("size").asLong());
                assertEquals(rec.durationSeconds(), out.get("durationSeconds").asDouble(), 1e-9);
            }
            assertEquals(1, eventIds.size(), "one COMPLETED transition, announced under one event id: " + completed);
            assertEquals(List.of(), receiver.events(id.value(), "recording.failed"));
            assertEquals(List.of(), receiver.badSignatures());
            System.out.println("killed merger: recording.completed delivered " + completed.size() + " time(s), event "
                    + eventIds);

            Set<String> objects = new TreeSet<>();
            backend.s3.listChunks(id).join(); // the chunks are still there (RECINGEST_KEEP_CHUNKS defaults to true)
            for (String key : List.of(backend.s3.keys().output(id), backend.s3.keys().manifest(id))) {
                assertTrue(backend.s3.size(key).join().isPresent(), key);
                objects.add(key);
            }
            assertEquals(rec.outputSize(), backend.s3.size(rec.outputKey()).join().orElseThrow());
            Path mp4 = dir.resolve("killed-merger.mp4");
            Files.write(mp4, backend.s3.getBytes(rec.outputKey()).join());
            assertEquals(12.0, Media.duration(mp4), 0.5);
            Media.decodeFrameAt(mp4, 6.0);

            // The killed merger's work folder (its attempt's FFmpeg output) went with it: the next merger on
            // the same work directory removes it.
            try (var left = Files.walk(Path.of(env.get("RECINGEST_MERGE_WORK_DIR")))) {
                assertEquals(List.of(), left.filter(p -> p.getFileName().toString().startsWith(id.value()))
                        .map(Path::toString).toList(), "nothing of the killed attempt is left on disk");
            }
        }
    }

    @Test
    void mergingMoreThan500MiBKeepsTheMergerHeapUnder256MiB() throws Exception {
        RecordingId id = RecordingId.of("half-a-gibibyte");
        Path work = Files.createDirectories(dir.resolve("big"));
        // 10 s of lossless 720p H.264 (~20 MiB), looped by stream copy into one MPEG-TS stream of > 500 MiB
        // that is cut into 8 MiB chunks on the way to S3: no source file of that size on disk.
        Path clip = work.resolve("clip.ts");
        Media.run(Media.FFMPEG.ffmpeg().toString(), "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi",
                "-i", "testsrc2=size=1280x720:rate=30", "-t", "10", "-c:v", "libx264", "-preset", "ultrafast",
                "-qp", "0", "-g", "30", "-f", "mpegts", clip.toString());
        long clipBytes = Files.size(clip);
        int copies = (int) ((520L << 20) / clipBytes) + 1;
        Process loop = new ProcessBuilder(Media.FFMPEG.ffmpeg().toString(), "-hide_banner", "-loglevel", "error",
                "-stream_loop", Integer.toString(copies - 1), "-i", clip.toString(), "-c", "copy", "-f", "mpegts", "-")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        long bytes;
        try (InputStream in = loop.getInputStream()) {
            bytes = backend.writes.recordStream(id, "video/mp2t", in, 8 << 20);
        }
        assertTrue(loop.waitFor(60, TimeUnit.SECONDS) && loop.exitValue() == 0, "ffmpeg looped the clip");
        assertTrue(bytes >= 500L << 20, "input of " + (bytes >> 20) + " MiB");

        Map<String, String> env = new HashMap<>(mergerEnv("work-big"));
        env.put("RECINGEST_MERGE_VISIBILITY_TIMEOUT", "60s");
        try (MergerProcess merger = MergerProcess.start(env, List.of("-Xmx256m", "-XX:+ExitOnOutOfMemoryError"),
                dir.resolve("merger-big.log"))) {
            long started = System.nanoTime();
            backend.store.mergeQueue().enqueue(id).join();
            long peak = 0;
            long samples = 0;
            Recording rec = null;
            long deadline = started + TimeUnit.MINUTES.toNanos(5);
            while (System.nanoTime() < deadline && merger.isAlive()) {
                var heap = merger.heapUsedBytes();
                if (heap.isPresent()) {
                    peak = Math.max(peak, heap.get());
                    samples++;
                }
                rec = backend.store.get(id).join().orElseThrow();
                if (DONE.contains(rec.state())) {
                    break;
                }
                Thread.sleep(200);
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            assertTrue(merger.isAlive(), "the merger with -Xmx256m survived:\n" + merger.logTail());
            Recording done = rec;
            assertEquals(RecordingState.COMPLETED, done.state(), () -> done.errorCode() + ": " + done.errorMessage()
                    + "\n" + merger.logTail());
            System.out.printf(java.util.Locale.ROOT, "500 MiB merge: input %d MiB in %d chunks, output %d MiB, %.1f s of "
                            + "video, merged in %.1f s; merger heap peak %.1f MiB (-Xmx256m, %d samples of "
                            + "jvm_memory_used_bytes{area=\"heap\"})%n", bytes >> 20, done.chunks(), done.outputSize() >> 20,
                    done.durationSeconds(), seconds, peak / 1048576.0, samples);
            assertTrue(samples > 0, "the heap was sampled");
            assertTrue(peak < 256L << 20, "heap peak " + peak);
            assertEquals(copies * 10.0, done.durationSeconds(), 1.0, "every copy of the clip is in the output");
        }
    }

    private static long outboxPending(WebhookConfig config) {
        return backend.connection.sync().xinfoGroups(Outbox.STREAM).stream()
                .mapToLong(g -> {
                    @SuppressWarnings("unchecked")
                    List<Object> fields = (List<Object>) g;
                    for (int i = 0; i + 1 < fields.size(); i += 2) {
                        if ("pending".equals(String.valueOf(fields.get(i)))) {
                            return Long.parseLong(String.valueOf(fields.get(i + 1)));
                        }
                    }
                    return 0;
                }).sum();
    }

    private static List<byte[]> byteRanges(Path file, int size) throws Exception {
        byte[] all = Files.readAllBytes(file);
        List<byte[]> out = new java.util.ArrayList<>();
        for (int off = 0; off < all.length; off += size) {
            out.add(java.util.Arrays.copyOfRange(all, off, Math.min(all.length, off + size)));
        }
        return out;
    }
}
