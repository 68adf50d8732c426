package dev.recingest.app;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Dockerfile's class-data-sharing training run, on this machine: {@code java -XX:ArchiveClassesAtExit=ARCHIVE
 * -jar app/target/recingest.jar all} with {@code RECINGEST_EXIT_WHEN_READY=true} (every role starts once on
 * embedded Redis and S3, logs {@code ready} and exits; the JVM then writes the classes it loaded). An archive only
 * maps for the class path it was made with, and a class path with non-empty directories (a test's) cannot be
 * archived: hence the packaged jar, which exists once {@code package} ran (the integration tests run after it).
 */
final class ClassDataArchive {

    /** The flags that keep CDS's own warnings (classes it skips, an archive it cannot map) out of the log. */
    static final List<String> QUIET = List.of("-Xlog:cds=off,cds+dynamic=off");

    private ClassDataArchive() {
    }

    /** The packaged launcher, or null when {@code package} has not run. */
    static Path jar() {
        Path jar = Path.of("target", "recingest.jar").toAbsolutePath();
        return Files.isRegularFile(jar) ? jar : null;
    }

    /**
     * Runs the training with the Dockerfile's flags; {@code workDir} holds the embedded servers' data and the
     * log ({@code training.log}). Returns the JVM's exit code (null: it did not exit within the bound).
     */
    static Integer train(Path jar, Path archive, Path workDir) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(java(), "-XX:ArchiveClassesAtExit=" + archive));
        cmd.addAll(QUIET);
        cmd.addAll(List.of("-XX:MaxRAMPercentage=50", "-XX:+ExitOnOutOfMemoryError", "-jar", jar.toString(), "all"));
        return run(cmd, workDir, workDir.resolve("training.log"));
    }

    /** {@code java [flags] -jar jar all} with RECINGEST_EXIT_WHEN_READY in {@code workDir}, its output to {@code log}. */
    static Integer run(List<String> cmd, Path workDir, Path log) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("RECINGEST_") || k.startsWith("AWS_"));
        pb.environment().put("RECINGEST_EXIT_WHEN_READY", "true");
        pb.environment().put("RECINGEST_PORT", "0");
        pb.environment().put("RECINGEST_DATA_DIR", workDir.resolve("data").toString());
        pb.environment().put("RECINGEST_MERGE_WORK_DIR", workDir.resolve("merge").toString());
        Process p = pb.start();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            return null;
        }
        return p.exitValue();
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
