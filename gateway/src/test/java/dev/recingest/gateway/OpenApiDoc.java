package dev.recingest.gateway;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.yaml.snakeyaml.Yaml;

/** docs/openapi.yaml, read the way the tests check it against the code. */
final class OpenApiDoc {

    static final Path FILE = Path.of("..", "docs", "openapi.yaml");
    private static Map<String, Object> doc;

    private OpenApiDoc() {
    }

    @SuppressWarnings("unchecked")
    static synchronized Map<String, Object> doc() {
        if (doc == null) {
            try (InputStream in = Files.newInputStream(FILE)) {
                doc = new Yaml().load(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + FILE.toAbsolutePath(), e);
            }
        }
        return doc;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> paths() {
        return (Map<String, Object>) doc().get("paths");
    }

    /** "GET /v1/recordings/{id}" for every documented operation. */
    @SuppressWarnings("unchecked")
    static Set<String> operations() {
        Set<String> out = new TreeSet<>();
        paths().forEach((path, item) -> ((Map<String, Object>) item).keySet().stream()
                .filter(k -> Set.of("get", "post", "put", "delete", "patch").contains(k))
                .forEach(m -> out.add(m.toUpperCase(Locale.ROOT) + " " + path)));
        return out;
    }

    /** The documented status codes of one operation. */
    @SuppressWarnings("unchecked")
    static Set<String> statuses(String method, String template) {
        Map<String, Object> item = (Map<String, Object>) paths().get(template);
        if (item == null) {
            return Set.of();
        }
        Map<String, Object> op = (Map<String, Object>) item.get(method.toLowerCase(Locale.ROOT));
        return op == null ? Set.of() : ((Map<String, Object>) op.get("responses")).keySet();
    }

    /** Fails unless {@code status} is among the documented answers of the operation. */
    static void assertDocumented(String method, String template, int status) {
        Set<String> documented = statuses(method, template);
        assertTrue(documented.contains(Integer.toString(status)), method + " " + template + " answered " + status
                + ", which docs/openapi.yaml does not list (it lists " + documented + ")");
    }
}
