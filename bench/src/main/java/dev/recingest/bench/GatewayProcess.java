package dev.recingest.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A {@link GatewayMain} in its own JVM ({@code java -Xmx512m -cp <this classpath>}), so that its heap is
 * the gateway's alone. Its stderr (warnings) goes to a log file; its stdout is the line protocol that
 * {@link GatewayMain} describes. Closing it asks it to quit, then kills it if it has not within seconds.
 */
final class GatewayProcess implements AutoCloseable {

    /** Heap and direct memory of the gateway JVM at one moment. */
    record Memory(long heapBytes, long directBytes, long pooledDirectBytes, long rssBytes) {
    }

    private final Process process;
    private final BufferedReader out;
    private final Writer in;
    final int port;
    final Path log;

    GatewayProcess(String heap, Map<String, String> env, Path log) throws IOException {
        this.log = log;
        // The bench classpath holds more than one logback.xml (bench's, app's): name the bench's. Logback still
        // prints its start-up status on stdout, where the gateway's answers go: those lines are skipped below.
        List<String> cmd = new ArrayList<>(List.of(javaTool("java"), "-Xmx" + heap,
                "-Dlogback.configurationFile=logback.xml",
                "-cp", System.getProperty("java.class.path"), GatewayMain.class.getName()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(log.toFile());
        pb.environment().putAll(env);
        process = pb.start();
        out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        String first = readLine(120);
        for (int skipped = 0; first != null && !first.startsWith("port=") && skipped < 50; skipped++) {
            first = readLine(120); // a library's start-up notice on stdout is not the answer
        }
        if (first == null || !first.startsWith("port=")) {
            close();
            throw new IOException("gateway did not start (first line " + first + "); see " + log + ":\n"
                    + tail(log));
        }
        port = Integer.parseInt(first.substring(5).trim());
    }

    URI ingestUri() {
        return URI.create("ws://127.0.0.1:" + port + "/v1/ingest");
    }

    long pid() {
        return process.pid();
    }

    /** After a full GC in the gateway JVM. */
    Memory afterGc() {
        return ask("stats");
    }

    /** Without a GC: what the heap holds right now, garbage included. */
    Memory sample() {
        return ask("sample");
    }

    private synchronized Memory ask(String command) {
        try {
            in.write(command + "\n");
            in.flush();
            String line = readLine(120);
            if (line == null) {
                throw new IOException("gateway JVM exited or did not answer " + command + " within 120 s; see "
                        + log + ":\n" + tail(log));
            }
            Map<String, Long> v = new java.util.HashMap<>();
            for (String kv : line.substring("stats ".length()).split(" ")) {
                String[] p = kv.split("=", 2);
                v.put(p[0], Long.parseLong(p[1]));
            }
            return new Memory(v.get("heap"), v.get("direct"), v.get("pooledDirect"), rss(process.pid()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The next line of the gateway's stdout, or null if it ended or none came in time (a hung gateway). */
    private String readLine(int seconds) throws IOException {
        java.util.concurrent.CompletableFuture<String> line = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            } catch (IOException e) {
                return null;
            }
        });
        try {
            return line.get(seconds, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /**
     * {@code jcmd <pid> GC.class_histogram} written to {@code file} (the profile that says which classes
     * the connections cost); {@code jcmd} forces a full GC first.
     */
    void classHistogram(Path file) {
        try {
            Process p = new ProcessBuilder(javaTool("jcmd"), Long.toString(process.pid()), "GC.class_histogram")
                    .redirectErrorStream(true).redirectOutput(file.toFile()).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        } catch (IOException e) {
            System.err.println("class histogram failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Resident set size from /proc (Linux), or -1. */
    static long rss(long pid) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (l.startsWith("VmRSS:")) {
                    return Long.parseLong(l.replaceAll("[^0-9]", "")) << 10;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or the process is gone
        }
        return -1;
    }

    private static String javaTool(String name) {
        return Path.of(System.getProperty("java.home"), "bin", name).toString();
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    @Override
    public void close() {
        try {
            in.write("quit\n");
            in.close();
        } catch (IOException e) {
            // already gone
        }
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroy();
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
