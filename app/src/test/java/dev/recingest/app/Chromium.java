package dev.recingest.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.recingest.protocol.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Debian's headless Chromium, driven through playwright-core by {@code web/recorder/test/driver.mjs}
 * (one JSON command a line on its stdin, one answer a line on its stdout). A fresh profile per instance;
 * the flags give a fake camera and microphone and accept the permission prompt. Nothing is downloaded but
 * the npm dev dependencies of {@code web/recorder} (from its lock file, when they are not installed yet).
 */
final class Chromium implements AutoCloseable {

    private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(2);
    private static Optional<String> unavailable;

    private final Process process;
    private final OutputStream commands;
    private final BlockingQueue<JsonNode> answers = new LinkedBlockingQueue<>();
    private int nextId;

    private Chromium(Process process) {
        this.process = process;
        this.commands = process.getOutputStream();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    answers.add(Json.MAPPER.readTree(line));
                }
            } catch (IOException e) {
                // the driver ended; a waiting command times out with the log in its message
            }
        }, "chromium-driver-reader");
        reader.setDaemon(true);
        reader.start();
    }

    static Path chromiumBinary() {
        return Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
    }

    static Path recorderDir() {
        return Nginx.repositoryFile("web/recorder/package.json").getParent();
    }

    /**
     * Why the browser tests cannot run here (no chromium, no node, or playwright-core cannot be installed),
     * or empty when they can. Installs the npm dev dependencies with {@code npm ci} the first time.
     */
    static synchronized Optional<String> unavailable() {
        if (unavailable == null) {
            unavailable = Optional.ofNullable(check());
        }
        return unavailable;
    }

    private static String check() {
        if (!Files.isExecutable(chromiumBinary())) {
            return "no Chromium at " + chromiumBinary() + " (apt-get install chromium, or set CHROMIUM): skipping the browser tests";
        }
        if (!runs("node", "--version")) {
            return "no node on PATH (Node.js 18+ drives Chromium through playwright-core): skipping the browser tests";
        }
        if (!Files.isDirectory(recorderDir().resolve("node_modules/playwright-core"))
                || !Files.isDirectory(recorderDir().resolve("node_modules/hls.js"))) {
            if (!runs("npm", "ci", "--no-audit", "--no-fund")) {
                return "cannot install web/recorder's dev dependencies (npm ci): skipping the browser tests";
            }
        }
        return null;
    }

    private static boolean runs(String... command) {
        try {
            Process p = new ProcessBuilder(command).directory(recorderDir().toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(5, TimeUnit.MINUTES) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Starts a browser; its console and the driver's errors go to {@code log}. */
    static Chromium launch(Path log) {
        try {
            ProcessBuilder pb = new ProcessBuilder("node", "test/driver.mjs").directory(recorderDir().toFile())
                    .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
            pb.environment().put("CHROMIUM", chromiumBinary().toString());
            Chromium c = new Chromium(pb.start());
            JsonNode hello = c.answers.poll(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            if (hello == null || !hello.path("ready").asBoolean()) {
                c.close();
                throw new IllegalStateException("the browser did not start: " + Files.readString(log));
            }
            return c;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    void goTo(String url) {
        call("goto", "url", url);
    }

    void reload() {
        call("reload");
    }

    void click(String selector) {
        call("click", "selector", selector);
    }

    /** DevTools network emulation: the page's network goes offline (or back online). */
    void offline(boolean on) {
        ObjectNode c = command("offline");
        c.put("on", on);
        send(c);
    }

    void screenshot(Path png) {
        ObjectNode c = command("screenshot");
        c.put("path", png.toAbsolutePath().toString());
        c.put("fullPage", true);
        send(c);
    }

    /** Runs {@code body} as the body of an async function in the page; its JSON-able return value. */
    JsonNode eval(String body) {
        return call("eval", "body", body);
    }

    /** Polls {@code expression} in the page every 250 ms until it is truthy; fails after {@code timeout}. */
    JsonNode await(String expression, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode v = eval("return (" + expression + ");");
            if (v != null && !v.isNull() && !(v.isBoolean() && !v.asBoolean())) {
                return v;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not true within " + timeout + ": " + expression);
            }
            GatewayProcess.sleep(250);
        }
    }

    private JsonNode call(String cmd, String... fields) {
        ObjectNode c = command(cmd);
        for (int i = 0; i < fields.length; i += 2) {
            c.put(fields[i], fields[i + 1]);
        }
        return send(c);
    }

    private ObjectNode command(String cmd) {
        ObjectNode c = Json.MAPPER.createObjectNode();
        c.put("id", ++nextId);
        c.put("cmd", cmd);
        return c;
    }

    private JsonNode send(ObjectNode c) {
        try {
            commands.write((Json.MAPPER.writeValueAsString(c) + "\n").getBytes(StandardCharsets.UTF_8));
            commands.flush();
            JsonNode answer = answers.poll(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            if (answer == null) {
                throw new AssertionError("the browser did not answer " + c + " within " + COMMAND_TIMEOUT);
            }
            if (!answer.path("ok").asBoolean()) {
                throw new AssertionError("browser command " + c.get("cmd") + " failed: " + answer.path("error").asText());
            }
            return answer.get("value");
        } catch (IOException e) {
            throw new UncheckedIOException("the browser driver is gone", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        try {
            commands.close(); // the driver closes the browser and exits at the end of its input
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                kill();
            }
        } catch (IOException | InterruptedException e) {
            kill();
        }
    }

    private void kill() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }
}
