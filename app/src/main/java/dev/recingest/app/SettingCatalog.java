package dev.recingest.app;

import dev.recingest.auth.TokenPolicy;
import dev.recingest.config.RedisConfig;
import dev.recingest.config.Retention;
import dev.recingest.config.S3Config;
import dev.recingest.config.Setting;
import dev.recingest.config.SettingGroup;
import dev.recingest.events.OutboxPublisher;
import dev.recingest.gateway.GatewayConfig;
import dev.recingest.gateway.janitor.JanitorConfig;
import dev.recingest.gateway.web.WebConfig;
import dev.recingest.media.FfmpegBinaries;
import dev.recingest.live.LiveConfig;
import dev.recingest.merge.MergerConfig;
import dev.recingest.webhook.WebhookConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which settings each command reads, by the groups the configuration types declare. {@code --help}, the
 * command line's options and the README's settings table ({@link #markdownTable()}, checked by a test)
 * are made from this catalogue. A new setting in an existing group needs nothing here; a new group is
 * one more entry in {@link #ALL} and in the commands that read it.
 */
final class SettingCatalog {

    /** A heading in {@code --help} and the settings it lists. */
    record Section(String title, List<Setting<?>> settings) {

        static Section of(SettingGroup group) {
            return new Section(group.title(), group.settings());
        }
    }

    private static final Section MERGER_METRICS = new Section(LauncherSettings.METRICS.title(),
            List.of(LauncherSettings.METRICS_PORT, GatewayConfig.HOST));

    /** Every group, in the README's order. */
    static final List<SettingGroup> ALL = List.of(RedisConfig.SETTINGS, S3Config.SETTINGS, GatewayConfig.SETTINGS,
            TokenPolicy.SETTINGS, WebConfig.SETTINGS, JanitorConfig.SETTINGS, Retention.SETTINGS, MergerConfig.SETTINGS, LiveConfig.SETTINGS, FfmpegBinaries.SETTINGS,
            LauncherSettings.METRICS, WebhookConfig.SETTINGS, OutboxPublisher.SETTINGS, LauncherSettings.EMBEDDED,
            PushCommand.SETTINGS, RecordCommand.SETTINGS, LauncherSettings.TOKEN, LauncherSettings.LOGGING,
            LauncherSettings.STARTUP);

    private SettingCatalog() {
    }

    static List<Section> forCommand(String command) {
        return switch (command) {
            case "gateway" -> sections(GatewayConfig.SETTINGS, TokenPolicy.SETTINGS, WebConfig.SETTINGS, JanitorConfig.SETTINGS, Retention.SETTINGS,
                    RedisConfig.SETTINGS, S3Config.SETTINGS, OutboxPublisher.SETTINGS, LauncherSettings.LOGGING,
                    LauncherSettings.STARTUP);
            case "merger" -> {
                List<Section> s = new ArrayList<>(sections(MergerConfig.SETTINGS, LiveConfig.SETTINGS, FfmpegBinaries.SETTINGS));
                s.add(MERGER_METRICS);
                s.addAll(sections(WebhookConfig.SETTINGS, OutboxPublisher.SETTINGS, Retention.SETTINGS,
                        RedisConfig.SETTINGS, S3Config.SETTINGS, LauncherSettings.LOGGING, LauncherSettings.STARTUP));
                yield s;
            }
            // Redis and S3 are the embedded ones: their addresses and keys are made by the command.
            case "all", "demo" -> {
                List<Section> s = new ArrayList<>(sections(LauncherSettings.EMBEDDED, GatewayConfig.SETTINGS,
                        TokenPolicy.SETTINGS, WebConfig.SETTINGS, JanitorConfig.SETTINGS, MergerConfig.SETTINGS,
                        LiveConfig.SETTINGS, FfmpegBinaries.SETTINGS, WebhookConfig.SETTINGS, OutboxPublisher.SETTINGS,
                        Retention.SETTINGS, LauncherSettings.LOGGING));
                if (command.equals("all")) {
                    s.addAll(sections(LauncherSettings.STARTUP)); // demo ends by itself
                }
                yield s;
            }
            case "push" -> List.of(Section.of(PushCommand.SETTINGS),
                    new Section("admin", List.of(GatewayConfig.ADMIN_TOKEN)), Section.of(FfmpegBinaries.SETTINGS),
                    Section.of(LauncherSettings.LOGGING));
            case "record" -> List.of(Section.of(RecordCommand.SETTINGS), new Section("gateway", List.of(PushCommand.GATEWAY,
                    PushCommand.TOKEN, PushCommand.RECORDING_ID, PushCommand.SEGMENT_TIME, GatewayConfig.HOST)),
                    Section.of(FfmpegBinaries.SETTINGS), Section.of(LauncherSettings.LOGGING));
            case "token" -> List.of(new Section("token", List.of(GatewayConfig.JWT_SECRET, LauncherSettings.TOKEN_VALIDITY)),
                    Section.of(TokenPolicy.SETTINGS), Section.of(LauncherSettings.LOGGING));
            case "settings" -> List.of();
            default -> throw new IllegalArgumentException("no such command: " + command);
        };
    }

    /** Every setting once, by its environment variable, in the README's order. */
    static Map<String, Setting<?>> all() {
        Map<String, Setting<?>> all = new LinkedHashMap<>();
        for (SettingGroup g : ALL) {
            for (Setting<?> s : g.settings()) {
                all.putIfAbsent(s.env(), s);
            }
        }
        return all;
    }

    private static List<Section> sections(SettingGroup... groups) {
        return java.util.Arrays.stream(groups).map(Section::of).toList();
    }

    /** The README's settings table: one row per setting, from the definitions the code reads. */
    static String markdownTable() {
        StringBuilder sb = new StringBuilder("| variable (flag) | default | meaning |\n|---|---|---|\n");
        for (Setting<?> s : all().values()) {
            sb.append("| `").append(s.env()).append("` ")
                    .append(s.secret() ? "(environment only)" : "(`" + s.flag() + "`)")
                    .append(" | ").append(s.defaultText().isEmpty() ? "—" : "`" + s.defaultText() + "`")
                    .append(" | ").append(s.description())
                    .append(s.secret() && s.minLength() > 0 ? "; at least " + s.minLength() + " characters" : "")
                    .append(" |\n");
        }
        return sb.toString();
    }
}
