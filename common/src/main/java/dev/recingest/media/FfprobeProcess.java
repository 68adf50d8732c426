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
    /** FFprobe's error lines kept for the message of a failed probe. */
    private static final int ERROR_LINES = 3;
    /** "[matroska,webm @ 0x55d…] " and "[error] " prefixes of FFprobe's log lines. */
    private static final java.util.regex.Pattern LOG_PREFIX =
            java.util.regex.Pattern.compile("\\[[^\\]]*@ 0x[0-9a-f]+\\]\\s*|\\[(error|fatal|panic|warning)\\]\\s*");

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
    public JsonNode probe(Path file, String demuxer, Duration timeout) throws ProbeException, InterruptedException {
        // "file:" so that a name with a colon is never read as another protocol.
        return run("file:" + file.toAbsolutePath(), "file", demuxer, null, file.getFileName().toString(), timeout);
    }

    @Override
    public JsonNode probe(byte[] data, String demuxer, Duration timeout) throws ProbeException, InterruptedException {
        return run("pipe:0", "pipe", demuxer, data, data.length + " bytes", timeout);
    }

    private JsonNode run(String input, String protocol, String demuxer, byte[] stdin, String what, Duration timeout)
            throws ProbeException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ffprobe.toString());
        cmd.addAll(ARGUMENTS);
        if (demuxer != null) {
            cmd.addAll(List.of("-f", demuxer));
        }
        cmd.addAll(List.of("-protocol_whitelist", protocol, "-i", input));
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
                throw new ProbeException("ffprobe cannot read " + what + (demuxer == null ? "" : " as " + demuxer) + ": "
                        + errors(stderr, p.exitValue()), false);
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

    /**
     * FFprobe's own words, such as "EBML header parsing failed": without the "[matroska,webm @ 0x55...]"
     * prefixes, and without the line that only repeats the input's local name.
     */
    static String errors(String stderr, int exitCode) {
        List<String> lines = stderr.lines().map(l -> LOG_PREFIX.matcher(l).replaceAll("").trim())
                .filter(l -> !l.isEmpty() && !l.startsWith("file:") && !l.startsWith("pipe:") && !l.startsWith("/"))
                .limit(ERROR_LINES).toList();
        return lines.isEmpty() ? "exit code " + exitCode : String.join("; ", lines);
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
