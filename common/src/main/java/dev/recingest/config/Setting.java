package dev.recingest.config;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * One setting: its environment variable, the flag that overrides it, its type, default and meaning.
 * Declared once, as a constant of the configuration type that reads it (in that type's
 * {@link SettingGroup}), so the default is visible where the type is declared; {@code --help}, the README's
 * settings table and the code that reads the value all use this one definition.
 *
 * @param env          the environment variable, such as {@code RECINGEST_MAX_CHUNK_BYTES}
 * @param type         how the text is read: {@code string}, {@code int}, {@code decimal}, {@code bool}, {@code size}
 *                     ({@code 8MiB}), {@code duration} ({@code 20s})
 * @param defaultValue what an unset setting means; null when unset means "none", or when the reader
 *                     computes the default (then {@code defaultText} says what it is)
 * @param defaultText  the default as the help and the README show it (empty: none)
 * @param description  what it does
 * @param secret       read from the environment only (a flag would show in the process list), never
 *                     logged; a value that holds {@value #PLACEHOLDER} or is shorter than
 *                     {@code minLength} stops the process at start-up
 * @param minLength    the shortest acceptable secret (0: any length)
 * @param parser       turns the text into the value, with the setting's name in its error
 */
public record Setting<T>(String env, String type, T defaultValue, String defaultText, String description,
                         boolean secret, int minLength, Parser<T> parser) {

    /** The placeholder that {@code deploy/.env.example} puts in every secret. */
    public static final String PLACEHOLDER = "CHANGE_ME";

    /** Reads a setting's text; throws IllegalArgumentException naming the setting when it cannot. */
    @FunctionalInterface
    public interface Parser<T> {
        T parse(String name, String text);
    }

    public Setting {
        Objects.requireNonNull(env, "env");
        Objects.requireNonNull(parser, "parser");
        Objects.requireNonNull(description, "description");
        defaultText = defaultText == null ? "" : defaultText;
        if (!env.matches("[A-Z][A-Z0-9_]*")) {
            throw new IllegalArgumentException("a setting's name is an upper-case environment variable: " + env);
        }
    }

    public static Setting<String> string(String env, String dflt, String description) {
        return new Setting<>(env, "string", dflt, dflt, description, false, 0, (n, v) -> v);
    }

    public static Setting<Integer> integer(String env, Integer dflt, String description) {
        return new Setting<>(env, "int", dflt, dflt == null ? null : dflt.toString(), description, false, 0,
                Settings::parseInt);
    }

    public static Setting<Double> decimal(String env, Double dflt, String description) {
        return new Setting<>(env, "decimal", dflt, dflt == null ? null : dflt.toString(), description, false, 0,
                Settings::parseDecimal);
    }

    public static Setting<Boolean> bool(String env, Boolean dflt, String description) {
        return new Setting<>(env, "bool", dflt, dflt == null ? null : dflt.toString(), description, false, 0,
                Settings::parseBool);
    }

    public static Setting<Long> bytes(String env, Long dflt, String description) {
        return new Setting<>(env, "size", dflt, dflt == null ? null : sizeText(dflt), description, false, 0,
                Settings::parseBytes);
    }

    public static Setting<Duration> duration(String env, Duration dflt, String description) {
        return new Setting<>(env, "duration", dflt, dflt == null ? null : durationText(dflt), description, false, 0,
                Settings::parseDuration);
    }

    /** The command-line flag: {@code RECINGEST_MAX_CHUNK_BYTES} is {@code --max-chunk-bytes}; AWS_* keep their prefix. */
    public String flag() {
        String name = env.startsWith(Settings.PREFIX) ? env.substring(Settings.PREFIX.length()) : env;
        return "--" + name.toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** A copy whose documented default is {@code text}: for a default computed where the setting is read. */
    public Setting<T> defaultsTo(String text) {
        return new Setting<>(env, type, defaultValue, text, description, secret, minLength, parser);
    }

    /** A copy that is a secret of at least {@code length} characters (see {@link #secret}). */
    public Setting<T> secret(int length) {
        return new Setting<>(env, type, defaultValue, defaultText, description, true, length, parser);
    }

    /**
     * Refuses a secret that still holds the placeholder or is too short, with one line saying what to do.
     * The value itself never appears in the message.
     */
    void checkSecret(String value) {
        if (!secret) {
            return;
        }
        if (value.toUpperCase(Locale.ROOT).contains(PLACEHOLDER)) {
            throw new IllegalArgumentException(env + " still holds the placeholder " + PLACEHOLDER
                    + " (from deploy/.env.example): set a random value"
                    + (minLength > 0 ? " of at least " + minLength + " characters" : "")
                    + ", e.g. from `openssl rand -hex 32`");
        }
        if (value.length() < minLength) {
            throw new IllegalArgumentException(env + " is " + value.length() + " characters long; it must have at least "
                    + minLength + " (e.g. from `openssl rand -hex 32`)");
        }
    }

    /** 8388608 is "8MiB", 65536 "64KiB", 1000 "1000". */
    static String sizeText(long bytes) {
        String[] units = {"GiB", "MiB", "KiB"};
        int[] shifts = {30, 20, 10};
        for (int i = 0; i < units.length; i++) {
            if (bytes > 0 && bytes % (1L << shifts[i]) == 0) {
                return (bytes >> shifts[i]) + units[i];
            }
        }
        return Long.toString(bytes);
    }

    /** In the largest unit that divides it: 7d, 4h, 5m, 20s, 500ms; zero is "0". */
    static String durationText(Duration d) {
        long ms = d.toMillis();
        if (ms == 0) {
            return "0";
        }
        long[] sizes = {86_400_000L, 3_600_000L, 60_000L, 1000L};
        String[] units = {"d", "h", "m", "s"};
        for (int i = 0; i < sizes.length; i++) {
            if (ms % sizes[i] == 0) {
                return ms / sizes[i] + units[i];
            }
        }
        return ms + "ms";
    }

    @Override
    public String toString() {
        return env;
    }
}
