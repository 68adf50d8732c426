package dev.recingest.media;

import com.fasterxml.jackson.databind.JsonNode;
import dev.recingest.protocol.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The {@code ffprobe} program, one process per probe: parsing happens outside the JVM, so a file that
 * crashes a demuxer crashes only that process. Bytes that are not a file go to its stdin.
 */
public final class FfprobeProcess implements MediaProber {

    /** Errors only: FFprobe's warnings about the cut-off end of a stream prefix are expected. */
    static final List<String> ARGUMENTS = List.of("-hide_banner", "-v", "error", "-show_format", "-show_streams",
            "-of", "json");

    /** Pumps the pipes of running probes: blocking reads, so not the common pool (one thread on two cores). */
    private static final ExecutorService PIPES = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "ffprobe-pipe");
        t.setDaemon(true);
        return t;
    });

    private final Path ffprobe;

    public FfprobeProcess(Path ffprobe) {
        this.ffprobe = ffprobe;
    }

    @Override
    public JsonNode probe(Path file, Duration timeout) throws ProbeException, InterruptedException {
        // "file:" so that a name with a colon is never read as another protocol.
        return run("file:" + file.toAbsolutePath(), null, file.getFileName().toString(), timeout);
    }

    @Override
    public JsonNode probe(byte[] data, Duration timeout) throws ProbeException, InterruptedException {
        return run("pipe:0", data, data.length + " bytes", timeout);
    }

    private JsonNode run(String input, byte[] stdin, String what, Duration timeout)
            throws ProbeException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ffprobe.toString());
        cmd.addAll(ARGUMENTS);
        cmd.add(input);
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectInput(stdin == null ? ProcessBuilder.Redirect.from(devNull())
                    : ProcessBuilder.Redirect.PIPE).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + ffprobe, e);
        }
        try {
            CompletableFuture<byte[]> out = readAll(p.getInputStream());
            CompletableFuture<byte[]> err = readAll(p.getErrorStream());
            if (stdin != null) {
                PIPES.execute(() -> {
                    try (OutputStream in = p.getOutputStream()) {
                        in.write(stdin);
                    } catch (IOException e) {
                        // FFprobe stops reading once it knows enough: a closed pipe is expected.
                    }
                });
            }
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new ProbeException("ffprobe of " + what + " did not finish within " + timeout, true);
            }
            String stderr = new String(err.join(), StandardCharsets.UTF_8).strip();
            if (p.exitValue() != 0) {
                throw new ProbeException("ffprobe cannot read " + what + ": "
                        + (stderr.isEmpty() ? "exit code " + p.exitValue() : stderr.lines().reduce((a, b) -> b).orElse("")), false);
            }
            try {
                return Json.MAPPER.readTree(out.join());
            } catch (IOException e) {
                throw new ProbeException("ffprobe printed no JSON for " + what + ": " + e.getMessage(), false);
            }
        } finally {
            p.destroyForcibly();
        }
    }

    private static java.io.File devNull() {
        return new java.io.File("/dev/null");
    }

    private static CompletableFuture<byte[]> readAll(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return in.readAllBytes();
            } catch (IOException e) {
                return new byte[0];
            }
        }, PIPES);
    }

    @Override
    public String describe() {
        return "ffprobe process (" + ffprobe + ")";
    }
}
