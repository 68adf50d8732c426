package dev.recingest.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Dockerfile's training run works as the image build needs it to: {@code all} with
 * RECINGEST_EXIT_WHEN_READY starts every role, logs {@code ready}, exits 0 by itself, and leaves a
 * class-data archive that a later start with the ENTRYPOINT's flags maps (most of its classes come from the
 * archive's top layer). The Docker build itself cannot run here (no Docker engine).
 */
class ClassDataSharingIT {

    private static final Pattern READY = Pattern.compile("level=INFO logger=Processes thread=main ready role=all uptimeMs=(\\d+) cpuMs=(\\d+) exitWhenReady=true");

    @Test
    void theTrainingRunExitsByItselfAndItsArchiveIsMappedByTheNextStart(@TempDir Path dir) throws Exception {
        Path jar = ClassDataArchive.jar();
        assertNotNull(jar, "target/recingest.jar is missing: this test runs after `package`");
        Path archive = dir.resolve("recingest.jsa");
        Path training = Files.createDirectories(dir.resolve("training"));

        Integer code = ClassDataArchive.train(jar, archive, training);
        String trainingLog = ClassDataArchive.read(training.resolve("training.log"));
        assertEquals(0, code, "the training run did not exit 0 by itself:\n" + trainingLog);
        assertTrue(READY.matcher(trainingLog).find(), "no ready line:\n" + trainingLog);
        assertTrue(Files.size(archive) > 1_000_000, "archive of " + Files.size(archive) + " bytes");

        Path second = Files.createDirectories(dir.resolve("second"));
        Path classes = second.resolve("classes.txt");
        List<String> cmd = new ArrayList<>(List.of(ClassDataArchive.java(), "-XX:SharedArchiveFile=" + archive));
        cmd.addAll(ClassDataArchive.QUIET);
        cmd.addAll(List.of("-Xlog:class+load:file=" + classes, "-XX:MaxRAMPercentage=50",
                "-XX:+ExitOnOutOfMemoryError", "-jar", jar.toString(), "all"));
        Integer secondCode = ClassDataArchive.run(cmd, second, second.resolve("run.log"));
        String secondLog = ClassDataArchive.read(second.resolve("run.log"));
        assertEquals(0, secondCode, secondLog);
        Matcher ready = READY.matcher(secondLog);
        assertTrue(ready.find(), "no ready line:\n" + secondLog);

        List<String> loaded = Files.readAllLines(classes);
        long fromArchive = loaded.stream().filter(l -> l.contains("source: shared objects file (top)")).count();
        long app = loaded.stream().filter(l -> l.contains(" dev.recingest.")).count();
        long appFromArchive = loaded.stream()
                .filter(l -> l.contains(" dev.recingest.") && l.contains("shared objects file (top)")).count();
        System.out.printf("classes loaded %d, from the archive's top layer %d; dev.recingest %d of which %d from it;"
                + " ready after %s ms, %s ms of CPU%n", loaded.size(), fromArchive, app, appFromArchive,
                ready.group(1), ready.group(2));
        // Most classes of a start come from the archive (~7,300 of ~9,000 measured); the rest are the JDK's own
        // default archive's, generated lambda forms and classes CDS skips (Java 5 bytecode: picocli).
        assertTrue(fromArchive > loaded.size() / 2, fromArchive + " of " + loaded.size() + " from the archive");
        assertTrue(appFromArchive > app / 2, appFromArchive + " of " + app + " of our classes from the archive");
    }
}
