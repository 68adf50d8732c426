package dev.recingest.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recingest.config.Setting;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The README's settings table is the settings registry, and the registry holds every setting the code
 * reads: a setting read by name somewhere in the main sources without a definition fails here, as does a
 * table that differs from {@code java -jar recingest.jar settings}.
 */
class SettingsDocTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern NAME = Pattern.compile("\"((?:RECINGEST|AWS)_[A-Z0-9_]+)\"");
    private static final Pattern TABLE = Pattern.compile("(?s)<!-- settings:begin[^\\n]*-->\\n(.*?)<!-- settings:end -->");

    @Test
    void everySettingTheCodeReadsIsDefinedInTheRegistry() throws IOException {
        Map<String, Setting<?>> all = SettingCatalog.all();
        Map<String, Set<Path>> undefined = new TreeMap<>();
        try (Stream<Path> files = Files.walk(ROOT)) {
            files.filter(f -> f.toString().endsWith(".java") && f.toString().contains("/src/main/java/"))
                    .filter(f -> !f.startsWith(ROOT.resolve("bench"))) // the benchmark sets settings, it reads none
                    .forEach(f -> {
                        Matcher m = NAME.matcher(read(f));
                        while (m.find()) {
                            if (!all.containsKey(m.group(1))) {
                                undefined.computeIfAbsent(m.group(1), k -> new TreeSet<>()).add(ROOT.relativize(f));
                            }
                        }
                    });
        }
        assertTrue(undefined.isEmpty(), "read by name but not defined as a Setting in any group of SettingCatalog.ALL: "
                + undefined);
        assertTrue(all.size() > 60, "the registry lost settings: " + all.keySet());
    }

    @Test
    void theReadmeTableIsTheRegistry() {
        Matcher m = TABLE.matcher(read(ROOT.resolve("README.md")));
        assertTrue(m.find(), "README.md has no settings:begin/settings:end markers");
        assertEquals(SettingCatalog.markdownTable(), m.group(1),
                "README.md's settings table differs from the code: paste the output of "
                        + "`java -jar app/target/recingest.jar settings` between the markers");
    }

    @Test
    void everyCommandsSettingsAreInTheRegistry() {
        Map<String, Setting<?>> all = SettingCatalog.all();
        for (Cli.Command c : Cli.COMMANDS) {
            SettingCatalog.forCommand(c.name()).forEach(section -> section.settings().forEach(s ->
                    assertTrue(all.get(s.env()) == s, c.name() + " reads " + s + ", which is not in SettingCatalog.ALL")));
        }
    }

    private static String read(Path f) {
        try {
            return Files.readString(f);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
