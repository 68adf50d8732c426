package dev.recingest.app;

import dev.recingest.config.Setting;
import dev.recingest.config.SettingGroup;
import java.time.Duration;

/** Settings the launcher reads itself, outside any component's configuration record. */
final class LauncherSettings {

    static final SettingGroup METRICS = new SettingGroup("merger metrics");
    static final Setting<Integer> METRICS_PORT = METRICS.integer("RECINGEST_METRICS_PORT", 9091,
            "`merger`: port of its Prometheus `/metrics` and `/healthz`, bound to RECINGEST_HOST (loopback by default: "
                    + "set RECINGEST_HOST=0.0.0.0 for a Prometheus in another container)");

    static final SettingGroup EMBEDDED = new SettingGroup("embedded (all, demo)");
    static final Setting<String> DATA_DIR = EMBEDDED.string("RECINGEST_DATA_DIR", "./data",
            "`all`/`demo`: where the embedded Redis and S3 server keep their files");

    static final SettingGroup TOKEN = new SettingGroup("token");
    static final Setting<Duration> TOKEN_VALIDITY = TOKEN.duration("RECINGEST_TOKEN_VALIDITY", Duration.ofHours(12),
            "`token`: how long a printed recorder token is valid");

    static final SettingGroup LOGGING = new SettingGroup("logging");
    static final Setting<String> LOG_LEVEL = LOGGING.string("RECINGEST_LOG_LEVEL", "INFO",
            "TRACE, DEBUG, INFO, WARN or ERROR; logs go to stderr, one line per event");
    static final Setting<String> LOG_FORMAT = LOGGING.string("RECINGEST_LOG_FORMAT", "text",
            "`text`: one line per event, what happened as a fixed phrase, then its values as `key=value` pairs "
                    + "(`merge completed recording=r1 attempt=1 … durationMs=3210`; a value with a space is quoted); "
                    + "`json`: one JSON object per line (Logback's JsonEncoder: `timestamp`, `level`, `threadName`, "
                    + "`loggerName`, `formattedMessage` (the phrase), `kvpList` (the pairs: "
                    + "`[{\"recording\":\"r1\"},{\"attempt\":\"1\"},…]`), `throwable`), for Loki, "
                    + "Elasticsearch or Cloud Logging");

    static final SettingGroup STARTUP = new SettingGroup("start-up");
    static final Setting<Boolean> EXIT_WHEN_READY = STARTUP.bool("RECINGEST_EXIT_WHEN_READY", false,
            "`gateway`/`merger`/`all`: start, log `ready` (with the JVM's `uptimeMs` and `cpuMs` so far), then stop and exit 0: "
                    + "a training run for the class-data-sharing archive the Docker image builds, and a start-up "
                    + "measure");

    private LauncherSettings() {
    }
}
