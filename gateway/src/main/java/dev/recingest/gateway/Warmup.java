package dev.recingest.gateway;

import dev.recingest.auth.Tokens;
import dev.recingest.protocol.RecordingId;
import dev.recingest.state.RecordingStore;
import dev.recingest.storage.ChunkStore;
import dev.recingest.storage.OutputStore;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first call of each client library is slow (classes loaded, the S3 client's request pipeline and signer
 * built, Lettuce's script path): measured in ResumeBenchmark, a gateway that had just started answered the
 * resumes nginx sends it first (least_conn: it has no connection yet) about 200 ms later than one that was
 * running. Before the port opens, the paths a resume takes are run once against harmless targets: a token
 * verified, the repair point of a recording id and a listing of its objects (only read), and one tiny PUT to
 * {@code {prefix}.warmup} (not a recording's key; overwritten by every start). Failures only cost the warm-up
 * (logged); readiness still reports Redis and storage as they are.
 */
final class Warmup {

    private static final Logger LOG = LoggerFactory.getLogger(Warmup.class);
    private static final RecordingId PROBE = RecordingId.of("recingest-warmup");

    private Warmup() {
    }

    static void run(RecordingStore store, ChunkStore chunks, OutputStore outputs, Tokens tokens, Duration limit) {
        long started = System.nanoTime();
        try {
            if (tokens != null) {
                tokens.verify(tokens.issueForRecording("warmup", PROBE.value(), Duration.ofMinutes(1)));
            }
            CompletableFuture.allOf(store.repairs().point(PROBE), chunks.listFrom(PROBE, 0),
                            outputs.putBytes(outputs.keys().warmup(), new byte[] {1}, "application/octet-stream"))
                    .get(limit.toMillis(), TimeUnit.MILLISECONDS);
            LOG.atInfo().addKeyValue("durationMs", (System.nanoTime() - started) / 1_000_000).log("warmed up");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.atWarn().addKeyValue("error", e.toString()).log("warm-up incomplete");
        }
    }
}
