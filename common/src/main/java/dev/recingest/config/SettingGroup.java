package dev.recingest.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The settings one configuration type reads, in the order it declares them. The type declares its group,
 * then one constant per setting, default and meaning included:
 *
 * <pre>{@code
 * public static final SettingGroup SETTINGS = new SettingGroup("gateway");
 * public static final Setting<Integer> PORT = SETTINGS.integer("RECINGEST_PORT", 8080, "HTTP and WebSocket port");
 * }</pre>
 *
 * Static initialisers run in the order they are written, so the group lists its settings in that order.
 * The launcher's catalogue (app module) puts groups together per command for {@code --help}, and a test
 * checks the README's settings table against the catalogue.
 */
public final class SettingGroup {

    private final String title;
    private final List<Setting<?>> settings = new ArrayList<>();

    public SettingGroup(String title) {
        this.title = title;
    }

    public String title() {
        return title;
    }

    /** The settings declared so far, in declaration order. */
    public synchronized List<Setting<?>> settings() {
        return List.copyOf(settings);
    }

    /** Adds a setting (a secret, or one whose default is computed) and returns it. */
    public synchronized <T> Setting<T> add(Setting<T> setting) {
        settings.add(setting);
        return setting;
    }

    public Setting<String> string(String env, String dflt, String description) {
        return add(Setting.string(env, dflt, description));
    }

    /** A secret: environment only, at least {@code minLength} characters, never the placeholder. */
    public Setting<String> secret(String env, int minLength, String description) {
        return add(Setting.string(env, null, description).secret(minLength));
    }

    public Setting<Integer> integer(String env, int dflt, String description) {
        return add(Setting.integer(env, dflt, description));
    }

    public Setting<Double> decimal(String env, double dflt, String description) {
        return add(Setting.decimal(env, dflt, description));
    }

    public Setting<Boolean> bool(String env, boolean dflt, String description) {
        return add(Setting.bool(env, dflt, description));
    }

    public Setting<Long> bytes(String env, long dflt, String description) {
        return add(Setting.bytes(env, dflt, description));
    }

    public Setting<Duration> duration(String env, Duration dflt, String description) {
        return add(Setting.duration(env, dflt, description));
    }

    @Override
    public String toString() {
        return title + settings();
    }
}
