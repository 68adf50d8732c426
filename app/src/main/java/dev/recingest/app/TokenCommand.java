package dev.recingest.app;

import dev.recingest.auth.TokenPolicy;
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
        TokenPolicy policy = TokenPolicy.from(settings);
        Tokens tokens = new Tokens(settings.find(GatewayConfig.JWT_SECRET)
                .orElseThrow(() -> new IllegalArgumentException("RECINGEST_JWT_SECRET is not set")), policy);
        Duration validity = settings.get(LauncherSettings.TOKEN_VALIDITY);
        if (validity.compareTo(policy.maxLifetime()) > 0) {
            throw new IllegalArgumentException("RECINGEST_TOKEN_VALIDITY (" + validity + ") is longer than "
                    + "RECINGEST_JWT_MAX_LIFETIME (" + policy.maxLifetime() + "): gateways would refuse the token");
        }
        String arg = args.get(0);
        System.out.println(arg.endsWith("*")
                ? tokens.issueForPrefix("cli", arg.substring(0, arg.length() - 1), validity)
                : tokens.issueForRecording("cli", arg, validity));
        return 0;
    }
}
