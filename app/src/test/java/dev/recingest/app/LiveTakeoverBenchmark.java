package dev.recingest.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.recingest.config.Settings;
import dev.recingest.events.EventPublisher;
import dev.recingest.live.LiveConfig;
import dev.recingest.live.LiveOutputs;
import dev.recingest.live.LiveWorker;
import dev.recingest.merge.MergeWorker;
import dev.recingest.merge.MergerConfig;
import dev.recingest.protocol.Mode;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.Outcomes;
import dev.recingest.state.Recording;
import dev.recingest.state.RecordingState;
import dev.recingest.state.SeqMode;
import dev.recingest.testkit.Backend;
import dev.recingest.testkit.Waits;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.Unpooled;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What taking a live rendition over costs, for a recording of {@code -Dlive.minutes} (default 30) in both modes:
 * a live worker renders it (written at full speed) until it has read every chunk; that worker stops (its lease
 * released, as when a merger shuts down; a killed one's lease must lapse first, which is not counted here), a second
 * live worker takes the rendition over, and the recording stops at that moment. Printed: how long the second worker
 * took to load what storage holds of the rendition ({@code Resumption}: the playlist, every listed segment's
 * {@code moof}), then to have its MP4 staged (FFmpeg reads the recording again from chunk 0 and drops what was
 * published), and stop to COMPLETED; next to stop to COMPLETED of the same recording with no takeover, in the same
 * run. Not part of the suite; run with {@code ./mvnw verify -pl app -am -Dit.test=LiveTakeoverBenchmark
 * -Dtest=NoSuchTest -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false}.
 */
@Tag("benchmark")
class LiveTakeoverBenchmark {

    private static final Duration LIMIT = Duration.ofMinutes(10);

    @TempDir
    Path dir;

    @Test
    void takingOverALiveRenditionReadsTheRecordingAgain() throws Exception {
        String load = Files.readString(Path.of("/proc/loadavg")).trim();
        int minutes = Integer.getInteger("live.minutes", 30);
        Path media = LiveStopBenchmark.media(dir, minutes);
        List<String> rows = new ArrayList<>();
        StopLog log = StopLog.attach();
        try {
            for (String modeName : System.getProperty("live.modes", "stream,segments").split(",")) {
                Mode mode = Mode.fromWire(modeName.trim());
                Chunks chunks = mode == Mode.SEGMENTS ? Chunks.segments(LiveStopBenchmark.segments(dir, media, minutes))
                        : Chunks.byteRanges(media, minutes * 60);
                Path base = Files.createDirectories(dir.resolve("run-" + mode.wire()));
                try (Backend backend = Backend.start(base)) {
                    double plain = run(backend, base, chunks, mode, minutes, false, log)[2];
                    double[] t = run(backend, base, chunks, mode, minutes, true, log);
                    String row = String.format(Locale.ROOT, "| %d min | %s | %.2f s | %.2f s | %.2f s | %.2f s |",
                            minutes, mode.wire(), t[0], t[1], t[2], plain);
                    System.out.println("live takeover bench: " + row);
                    rows.add(row);
                }
                chunks.delete();
            }
        } finally {
            log.detach();
        }
        System.out.println("\nload average at the start: " + load);
        System.out.println("| recording | mode | taken over: storage loaded in | taken over: MP4 staged after | "
                + "taken over: stop -> COMPLETED | no takeover: stop -> COMPLETED |\n|---|---|---|---|---|---|");
        rows.forEach(System.out::println);
        System.out.println("load average at the end: " + Files.readString(Path.of("/proc/loadavg")).trim());
    }

    /** Seconds: {resumption loaded, MP4 staged, stop -> COMPLETED} after the second worker started (0, 0, x without). */
    private double[] run(Backend backend, Path base, Chunks media, Mode mode, int minutes, boolean takeover,
                         StopLog log) throws Exception {
        Settings settings = Settings.of(backend.env(Map.of(
                "RECINGEST_MERGE_WORK_DIR", Files.createDirectories(base.resolve("work-" + takeover)).toString(),
                "RECINGEST_MERGE_POLL", "500ms")));
        LiveConfig liveConfig = LiveConfig.from(settings);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        RecordingId id = RecordingId.of("takeover-" + takeover + "-" + minutes + "-" + mode.wire());
        try (MergeWorker merger = MergeWorker.start(MergerConfig.from(settings), backend.redis, backend.store,
                backend.s3, registry, EventPublisher.none(),
                new LiveOutputs(liveConfig, backend.store.liveIndex(), backend.s3, backend.s3))) {
            LiveWorker first = LiveWorker.start(liveConfig, backend.store, backend.s3, backend.s3, backend.s3,
                    EventPublisher.none(), merger.workSpace(), registry);
            LiveWorker second = null;
            try {
                Outcomes.StartOutcome started = backend.store.ledger().start(id, "video/mp2t", mode, "").join();
                long n = 0;
                for (byte[] b : media) {
                    Outcomes.Assignment a = backend.store.ledger().assign(id, started.epoch(), n, SeqMode.EXPLICIT).join();
                    backend.s3.putChunk(id, a.index(), Unpooled.wrappedBuffer(b)).join();
                    backend.store.ledger().commit(id, a.index(), b.length).join();
                    n++;
                }
                long chunks = n;
                Waits.until(() -> Long.parseLong(backend.store.liveIndex().status(id).join()
                        .getOrDefault("chunks", "0")) >= chunks, LIMIT, "the rendition read every chunk");
                long secondStarted = 0;
                if (takeover) {
                    first.close();
                    secondStarted = System.currentTimeMillis();
                    second = LiveWorker.start(liveConfig, backend.store, backend.s3, backend.s3, backend.s3,
                            EventPublisher.none(), merger.workSpace(), registry);
                }
                backend.store.ledger().stop(id, started.epoch(), chunks - 1).join();
                backend.store.mergeQueue().enqueue(id).join();
                Recording done = backend.awaitState(id, Set.of(RecordingState.COMPLETED, RecordingState.FAILED), LIMIT);
                assertEquals(RecordingState.COMPLETED, done.state(), done.errorCode() + ": " + done.errorMessage());
                Map<String, String> f = backend.store.fields(id).join();
                double stopToCompleted = (Long.parseLong(f.get("completedAt")) - Long.parseLong(f.get("stoppedAt"))) / 1000.0;
                if (!takeover) {
                    return new double[] {0, 0, stopToCompleted};
                }
                long resumed = log.at(id.value(), "live rendition started");
                long staged = log.at(id.value(), "live rendition finished");
                String after = log.field(id.value(), "live rendition started", "resumedAfterSegments");
                System.out.printf(Locale.ROOT, "live takeover bench: %s: resumed after %s segments%n", id, after);
                if ("0".equals(after)) {
                    throw new AssertionError("the second worker started the rendition from nothing, not a takeover");
                }
                return new double[] {(resumed - secondStarted) / 1000.0, (staged - secondStarted) / 1000.0, stopToCompleted};
            } finally {
                first.close();
                if (second != null) {
                    second.close();
                }
            }
        }
    }
}
