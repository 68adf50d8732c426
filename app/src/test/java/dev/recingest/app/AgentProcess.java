package dev.recingest.app;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The recorder agent as a separate JVM, as a user runs it: {@code Main record --source=… --recording-id=…}
 * with the token in its environment. Killed for real: {@code destroyForcibly()} is SIGKILL (kill -9) and
 * {@code destroy()} SIGTERM on Linux.
 */
final class AgentProcess implements AutoCloseable {

    final String name;
    final Path log;
    private final Process process;

    private AgentProcess(String name, Path log, Process process) {
        this.name = name;
        this.log = log;
        this.process = process;
    }

    static AgentProcess start(String name, Path log, Map<String, String> env, List<String> args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                "dev.recingest.app.Main", "record"));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().keySet().removeIf(k -> k.startsWith("RECINGEST_") || k.startsWith("AWS_"));
        pb.environment().put("RECINGEST_AGENT_METRICS_PORT", "-1");
        pb.environment().putAll(env);
        try {
            return new AgentProcess(name, log, pb.start());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start agent " + name, e);
        }
    }

    /** kill -9: the JVM dies at once; its FFmpeg follows (parent-death signal). */
    void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** kill -TERM: the agent finishes every recording and exits. */
    void sigterm() {
        process.destroy();
    }

    Integer awaitExit(long seconds) throws InterruptedException {
        return process.waitFor(seconds, TimeUnit.SECONDS) ? process.exitValue() : null;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    String logText() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }

    @Override
    public String toString() {
        return "agent " + name + " (pid " + process.pid() + ")";
    }
}
