package dev.recingest.bench;

import dev.recingest.protocol.RecordingId;
import dev.recingest.storage.S3Store;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;

/**
 * The storage part of a merge without the merger: GET every chunk of the recording in order with the
 * merger's default window in flight, then upload an MP4 of the output's size with the same multipart
 * upload the merger uses. A merge cannot be faster than this on the same S3 server (in this JVM, on the
 * same cores), so it shows how much of a merge's time over the raw baseline is the store's.
 */
final class S3Floor {

    /** Seconds of each half. */
    record Result(double getSeconds, double putSeconds) {
        double total() {
            return getSeconds + putSeconds;
        }
    }

    private S3Floor() {
    }

    static Result measure(S3Store s3, RecordingId id, int chunks, int window, Path output) throws Exception {
        long t0 = System.nanoTime();
        Deque<CompletableFuture<byte[]>> inFlight = new ArrayDeque<>();
        long bytes = 0;
        for (int i = 0; i < chunks; i++) {
            if (inFlight.size() == window) {
                bytes += inFlight.pollFirst().get().length;
            }
            inFlight.addLast(s3.getChunk(id, i));
        }
        while (!inFlight.isEmpty()) {
            bytes += inFlight.pollFirst().get().length;
        }
        long t1 = System.nanoTime();
        s3.uploadFile("bench-floor/" + id.value() + ".mp4", output, "video/mp4").get();
        long t2 = System.nanoTime();
        if (bytes == 0) {
            throw new IllegalStateException("no chunk bytes read for " + id);
        }
        return new Result((t1 - t0) / 1e9, (t2 - t1) / 1e9);
    }
}
