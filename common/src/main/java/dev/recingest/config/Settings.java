package dev.recingest.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Raw settings: the environment, overridden by flags. Flags map one to one onto environment variables
 * ({@code --max-chunk-bytes} is {@code RECINGEST_MAX_CHUNK_BYTES}), so one table in the README documents
 * both. Read a setting through its {@link Setting} constant ({@link #get(Setting)}): that is where its
 * name, type, default and meaning are declared. The launcher parses the command line (picocli, with
 * options made from the same constants); {@link #fromEnvAndFlags} remains for internal tools.
 *
 * <p>Any setting {@code NAME} may instead name a file, {@code NAME_FILE=/run/secrets/x}, whose content
 * (without its trailing line break) is the value: how Docker and Kubernetes hand secrets to a process
 * without putting them in its environment. Giving both is an error.
 */
public final class Settings {

    public static final String PREFIX = "RECINGEST_";
    /** {@code NAME_FILE} names a file that holds the value of {@code NAME}. */
    public static final String FILE_SUFFIX = "_FILE";
    private static final Pattern SIZE = Pattern.compile("(?i)^(\\d+)\\s*(b|kib|kb|k|mib|mb|m|gib|gb|g)?$");
    private static final Pattern DURATION = Pattern.compile("(?i)^(\\d+)\\s*(ms|s|m|h|d)?$");

    private final Map<String, String> values;

    private Settings(Map<String, String> values) {
        this.values = Map.copyOf(values);
    }

    public static Settings of(Map<String, String> values) {
        return new Settings(values);
    }

    /**
     * The process environment overridden by flags. Flags that are not {@code --name=value} are
     * returned to the caller in {@code rest}.
     */
    public static Settings fromEnvAndFlags(Map<String, String> env, List<String> flags, List<String> rest) {
        Map<String, String> merged = new HashMap<>(env);
        for (String flag : flags) {
            int eq = flag.indexOf('=');
            if (flag.startsWith("--") && eq > 2) {
                merged.put(envName(flag.substring(2, eq)), flag.substring(eq + 1));
            } else {
                rest.add(flag);
            }
        }
        return new Settings(merged);
    }

    /** {@code max-chunk-bytes} becomes {@code RECINGEST_MAX_CHUNK_BYTES}; AWS_* names pass through. */
    public static String envName(String flagName) {
        String upper = flagName.toUpperCase(Locale.ROOT).replace('-', '_');
        return upper.startsWith("AWS_") ? upper : PREFIX + upper;
    }

    /** A copy with more values; used by the embedded launcher to point everything at loopback. */
    public Settings with(Map<String, String> more) {
        Map<String, String> merged = new HashMap<>(values);
        merged.putAll(more);
        return new Settings(merged);
    }

    public Optional<String> find(String name) {
        String v = values.get(name);
        String file = values.get(name + FILE_SUFFIX);
        if (file != null && !file.isBlank()) {
            if (v != null && !v.isBlank()) {
                throw new IllegalArgumentException("set " + name + " or " + name + FILE_SUFFIX + ", not both");
            }
            v = readSecretFile(name + FILE_SUFFIX, file.trim());
        }
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.trim());
    }

    private static String readSecretFile(String setting, String path) {
        try {
            return Files.readString(Path.of(path), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            // The path, never the content: the file holds a secret.
            throw new IllegalArgumentException(setting + ": cannot read " + path + " (" + e.getClass().getSimpleName()
                    + ")");
        }
    }

    public String string(String name, String dflt) {
        return find(name).orElse(dflt);
    }

    public int integer(String name, int dflt) {
        return find(name).map(v -> parseInt(name, v)).orElse(dflt);
    }

    public double decimal(String name, double dflt) {
        return find(name).map(v -> parseDecimal(name, v)).orElse(dflt);
    }

    public boolean bool(String name, boolean dflt) {
        return find(name).map(v -> parseBool(name, v)).orElse(dflt);
    }

    /** A byte size such as {@code 65536}, {@code 64KiB} or {@code 8MiB}. */
    public long bytes(String name, long dflt) {
        return find(name).map(v -> parseBytes(name, v)).orElse(dflt);
    }

    /** A duration such as {@code 500ms}, {@code 20s}, {@code 5m}, {@code 7d}; a bare number is seconds. */
    public Duration duration(String name, Duration dflt) {
        return find(name).map(v -> parseDuration(name, v)).orElse(dflt);
    }

    /**
     * The setting's value when it is set, parsed by its type; a secret that holds the placeholder or is
     * too short is refused here, so every reader of a secret checks it.
     */
    public <T> Optional<T> find(Setting<T> setting) {
        return find(setting.env()).map(v -> {
            setting.checkSecret(v);
            return setting.parser().parse(setting.env(), v);
        });
    }

    /** The setting's value, or its default (null for a setting without one). */
    public <T> T get(Setting<T> setting) {
        return find(setting).orElse(setting.defaultValue());
    }

    static int parseInt(String name, String v) {
        return parse(name, v, Integer::parseInt);
    }

    static double parseDecimal(String name, String v) {
        return parse(name, v, Double::parseDouble);
    }

    static boolean parseBool(String name, String v) {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes", "on" -> true;
            case "false", "0", "no", "off" -> false;
            default -> throw new IllegalArgumentException(name + ": expected true or false, got '" + v + "'");
        };
    }

    static long parseBytes(String name, String v) {
        Matcher m = SIZE.matcher(v);
        if (!m.matches()) {
            throw new IllegalArgumentException(name + ": expected a size like 8MiB, got '" + v + "'");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
        return switch (unit.charAt(0)) {
            case 'k' -> n << 10;
            case 'm' -> n << 20;
            case 'g' -> n << 30;
            default -> n;
        };
    }

    static Duration parseDuration(String name, String v) {
        Matcher m = DURATION.matcher(v);
        if (!m.matches()) {
            throw new IllegalArgumentException(name + ": expected a duration like 20s (ms, s, m, h, d), got '" + v + "'");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2).toLowerCase(Locale.ROOT);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> Duration.ofSeconds(n);
        };
    }

    private static <T> T parse(String name, String v, java.util.function.Function<String, T> parser) {
        try {
            return parser.apply(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": not a number: '" + v + "'");
        }
    }
}
