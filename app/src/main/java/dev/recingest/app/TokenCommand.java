package dev.recingest.app;

import dev.recingest.auth.Tokens;
import dev.recingest.config.Settings;
import dev.recingest.gateway.GatewayConfig;
import java.time.Duration;
import java.util.List;

/** {@code token ID} or {@code token PREFIX*}: prints a recorder token signed with the configured secret. */
final class TokenCommand {

    private TokenCommand() {
    }

    static int run(Settings settings, List<String> args) {
        Tokens tokens = new Tokens(settings.find(GatewayConfig.JWT_SECRET)
                .orElseThrow(() -> new IllegalArgumentException("RECINGEST_JWT_SECRET is not set")));
        Duration validity = settings.get(LauncherSettings.TOKEN_VALIDITY);
        String arg = args.get(0);
        System.out.println(arg.endsWith("*")
                ? tokens.issueForPrefix("cli", arg.substring(0, arg.length() - 1), validity)
                : tokens.issueForRecording("cli", arg, validity));
        return 0;
    }
}
