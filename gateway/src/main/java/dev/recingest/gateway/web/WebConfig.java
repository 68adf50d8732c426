package dev.recingest.gateway.web;

import dev.recingest.config.Setting;
import dev.recingest.config.SettingGroup;
import dev.recingest.config.Settings;

/**
 * What the gateway serves to browsers besides the recorder module.
 *
 * @param demoEnabled serve the demo page at {@code /demo/} (RECINGEST_DEMO; off for {@code gateway},
 *                    on for {@code all} and {@code demo})
 * @param demoTokens  development tokens for the demo page, or null (production: the page's owner
 *                    supplies tokens); only used when the demo is enabled
 */
public record WebConfig(boolean demoEnabled, DemoTokens demoTokens) {

    public static final SettingGroup SETTINGS = new SettingGroup("web");
    public static final Setting<Boolean> DEMO = SETTINGS.add(Setting.bool("RECINGEST_DEMO", null,
            "serve the demo page at `/demo/`; in `all` it gets development tokens (`demo-*`, 1 h) from `POST /demo/token`, "
                    + "only for a browser on the same machine. The recorder module at `/recorder/` is always served")
            .defaultsTo("off (gateway), on (all, demo)"));

    /** The recorder module only: what a gateway serves unless told otherwise. */
    public static WebConfig moduleOnly() {
        return new WebConfig(false, null);
    }

    /** {@code RECINGEST_DEMO}, defaulting to {@code demoByDefault}; no development tokens. */
    public static WebConfig from(Settings settings, boolean demoByDefault) {
        return new WebConfig(settings.find(DEMO).orElse(demoByDefault), null);
    }

    public WebConfig withDemoTokens(DemoTokens tokens) {
        return new WebConfig(demoEnabled, tokens);
    }
}
