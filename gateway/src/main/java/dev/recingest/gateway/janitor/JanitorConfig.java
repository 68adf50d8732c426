package dev.recingest.gateway.janitor;

import dev.recingest.config.Setting;
import dev.recingest.config.SettingGroup;
import dev.recingest.config.Settings;
import java.time.Duration;

/**
 * When open recordings stall and stop by themselves (environment variable names in parentheses).
 *
 * @param stallTimeout  no chunk (and no start or resume) for this long: STALLED (RECINGEST_STALL_TIMEOUT, 30s);
 *                      also how long a STOPPED recording may wait for its merge job to be marked queued
 *                      before the janitor queues it again
 * @param idleTimeout   no chunk for this long: auto-stop and merge (RECINGEST_RECORDING_IDLE_TIMEOUT, 5m)
 * @param interval      how often the janitor looks for due recordings (RECINGEST_JANITOR_INTERVAL, 5s);
 *                      0 turns this gateway's janitor off (another gateway's must run)
 */
public record JanitorConfig(Duration stallTimeout, Duration idleTimeout, Duration interval) {

    public static final SettingGroup SETTINGS = new SettingGroup("recordings and janitor");
    public static final Setting<Duration> STALL_TIMEOUT = SETTINGS.duration("RECINGEST_STALL_TIMEOUT", Duration.ofSeconds(30),
            "no chunk (nor start/resume) for this long: the recording is `STALLED` until its next chunk");
    public static final Setting<Duration> RECORDING_IDLE_TIMEOUT = SETTINGS.duration("RECINGEST_RECORDING_IDLE_TIMEOUT",
            Duration.ofMinutes(5), "no chunk for this long: auto-stop and merge (or `FAILED` `MISSING_CHUNKS` if an explicit seq was never stored); a connection still open on it gets 4409");
    public static final Setting<Duration> INTERVAL = SETTINGS.duration("RECINGEST_JANITOR_INTERVAL", Duration.ofSeconds(5),
            "how often a gateway's janitor sweeps due recordings (one gateway at a time, by a Redis lock); 0 = this gateway runs none");

    public JanitorConfig {
        if (stallTimeout.toMillis() < 1) {
            throw new IllegalArgumentException("the stall timeout must be positive");
        }
        if (idleTimeout.compareTo(stallTimeout) <= 0) {
            throw new IllegalArgumentException("the recording idle timeout must be longer than the stall timeout");
        }
        if (interval.isNegative() || interval.compareTo(stallTimeout) > 0) {
            throw new IllegalArgumentException("the janitor interval must be between 0 (off) and the stall timeout");
        }
    }

    /** Every setting at its default (the README's table). */
    public static JanitorConfig defaults() {
        return new JanitorConfig(STALL_TIMEOUT.defaultValue(), RECORDING_IDLE_TIMEOUT.defaultValue(), INTERVAL.defaultValue());
    }

    public static JanitorConfig from(Settings s) {
        return new JanitorConfig(s.get(STALL_TIMEOUT), s.get(RECORDING_IDLE_TIMEOUT), s.get(INTERVAL));
    }

    public boolean enabled() {
        return !interval.isZero();
    }

    /**
     * The lock outlives a few missed passes of its holder, so a slow pass does not hand it over, and a dead
     * holder's lock frees within seconds.
     */
    public Duration lockTtl() {
        Duration three = interval.multipliedBy(3);
        return three.compareTo(Duration.ofSeconds(5)) > 0 ? three : Duration.ofSeconds(5);
    }
}
