package dev.recingest.app;

import dev.recingest.auth.TokenPolicy;
import dev.recingest.auth.Tokens;
import dev.recingest.config.Settings;
import java.time.Duration;
import java.util.List;

/** {@code token ID} or {@code token PREFIX*}: prints a recorder token signed with the configured secret. */
final class TokenCommand {

    private TokenCommand() {
    }

    static int run(Settings settings, List<String> args) {
        if (args.size() != 1) {
            System.err.println("usage: token RECORDING_ID | token PREFIX*   (with RECINGEST_JWT_SECRET set)");
            return 2;
        }
        TokenPolicy policy = TokenPolicy.from(settings);
        Tokens tokens = new Tokens(settings.find("RECINGEST_JWT_SECRET")
                .orElseThrow(() -> new IllegalArgumentException("RECINGEST_JWT_SECRET is not set")), policy);
        Duration validity = settings.duration("RECINGEST_TOKEN_VALIDITY", Duration.ofHours(12));
        if (validity.compareTo(policy.maxLifetime()) > 0) {
            System.err.println("RECINGEST_TOKEN_VALIDITY (" + validity + ") is longer than RECINGEST_JWT_MAX_LIFETIME ("
                    + policy.maxLifetime() + "): gateways would refuse the token");
            return 2;
        }
        String arg = args.get(0);
        System.out.println(arg.endsWith("*")
                ? tokens.issueForPrefix("cli", arg.substring(0, arg.length() - 1), validity)
                : tokens.issueForRecording("cli", arg, validity));
        return 0;
    }
}
