package dev.recingest.deploy;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The command-line tools these checks drive (promtool, kubectl, docker-compose, nginx) and the repository's
 * files. A tool that is not installed skips its test with a message saying what to install; CI
 * ({@code .ci/run}) installs them all.
 */
final class Tools {

    private Tools() {
    }

    /** The result of one command: exit code, what it printed on stdout and on stderr. */
    record Run(int exitCode, String stdout, String stderr) {
        /** Both streams, for messages and assertions about them. */
        String output() {
            return stdout + stderr;
        }

        Run assertOk(String what) {
            if (exitCode != 0) {
                throw new AssertionError(what + " failed (exit " + exitCode + "):\n" + output());
            }
            return this;
        }
    }

    /** The executable on PATH or in the usual system folders, if installed. */
    static Optional<Path> find(String name) {
        Stream<String> dirs = Stream.concat(Stream.of(System.getenv().getOrDefault("PATH", "").split(":")),
                Stream.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin"));
        return dirs.filter(d -> !d.isEmpty()).map(d -> Path.of(d, name)).filter(Files::isExecutable).findFirst();
    }

    /** The tool, or the test is skipped with {@code install} as the reason. */
    static Path require(String name, String install) {
        Optional<Path> p = find(name);
        assumeTrue(p.isPresent(), name + " is not installed, so this check is skipped (" + install + ")");
        return p.get();
    }

    /** Runs a command in {@code dir}, bounded to two minutes. */
    static Run run(Path dir, Map<String, String> env, String... command) {
        try {
            Path out = Files.createTempFile("recingest-tool", ".out");
            Path err = Files.createTempFile("recingest-tool", ".err");
            try {
                ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
                        .redirectOutput(out.toFile()).redirectError(err.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
                pb.environment().putAll(env);
                Process p = pb.start();
                if (!p.waitFor(120, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new AssertionError(String.join(" ", command) + " did not finish within 120 s");
                }
                return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                        Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static Run run(Path dir, String... command) {
        return run(dir, Map.of(), command);
    }

    /** The repository's root: the folder above this module that holds docker-compose.yml. */
    static Path repository() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.exists(d.resolve("docker-compose.yml")) && Files.isDirectory(d.resolve("deploy"))) {
                return d;
            }
        }
        throw new IllegalStateException("no repository root above " + Path.of("").toAbsolutePath());
    }

    static Path file(String relative) {
        Path p = repository().resolve(relative);
        if (!Files.exists(p)) {
            throw new AssertionError("missing " + relative);
        }
        return p;
    }

    /** Copies a folder tree (for tools that must not write next to the repository's files). */
    static void copyTree(Path from, Path to) throws IOException {
        List<Path> all;
        try (Stream<Path> s = Files.walk(from)) {
            all = new ArrayList<>(s.toList());
        }
        for (Path p : all) {
            Path target = to.resolve(from.relativize(p).toString());
            if (Files.isDirectory(p)) {
                Files.createDirectories(target);
            } else {
                Files.copy(p, target);
            }
        }
    }
}
