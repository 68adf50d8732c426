package dev.recingest.auth;

import dev.recingest.config.Settings;
import java.time.Duration;

/**
 * What a recorder token must satisfy beyond its signature (environment variable names in parentheses).
 *
 * @param leeway          clock skew allowed on {@code exp}, {@code nbf} and {@code iat}, whole seconds
 *                        (RECINGEST_JWT_LEEWAY, 30s)
 * @param maxLifetime     a token may be valid for at most this long: from its {@code iat}, or from now when
 *                        it has none; a leaked token is not good for years (RECINGEST_JWT_MAX_LIFETIME, 24h)
 * @param audience        who this gateway is: a token that carries {@code aud} must name it (RFC 7519 4.1.3),
 *                        so a token minted for another service with the same secret is refused; tokens this
 *                        project issues carry it (RECINGEST_JWT_AUDIENCE, recingest)
 * @param requireAudience also refuse tokens without {@code aud}; off by default, since PROTOCOL.md's claims
 *                        do not include it (RECINGEST_JWT_REQUIRE_AUDIENCE, false)
 */
public record TokenPolicy(Duration leeway, Duration maxLifetime, String audience, boolean requireAudience) {

    public TokenPolicy {
        if (leeway.isNegative() || leeway.toSeconds() > 300) {
            throw new IllegalArgumentException("the JWT leeway must be between 0 and 5 minutes");
        }
        if (maxLifetime.toSeconds() < 60) {
            throw new IllegalArgumentException("the JWT max lifetime must be at least a minute");
        }
        if (audience == null || audience.isBlank()) {
            throw new IllegalArgumentException("the JWT audience must not be empty");
        }
    }

    public static TokenPolicy defaults() {
        return new TokenPolicy(Duration.ofSeconds(30), Duration.ofHours(24), "recingest", false);
    }

    public static TokenPolicy from(Settings s) {
        TokenPolicy d = defaults();
        return new TokenPolicy(
                s.duration("RECINGEST_JWT_LEEWAY", d.leeway()),
                s.duration("RECINGEST_JWT_MAX_LIFETIME", d.maxLifetime()),
                s.string("RECINGEST_JWT_AUDIENCE", d.audience()),
                s.bool("RECINGEST_JWT_REQUIRE_AUDIENCE", d.requireAudience()));
    }
}
