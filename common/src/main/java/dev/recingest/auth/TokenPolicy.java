package dev.recingest.auth;

import dev.recingest.config.Setting;
import dev.recingest.config.SettingGroup;
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

    public static final SettingGroup SETTINGS = new SettingGroup("recorder tokens");
    public static final Setting<Duration> LEEWAY = SETTINGS.duration("RECINGEST_JWT_LEEWAY", Duration.ofSeconds(30),
            "clock skew forgiven on a token's `exp`, `nbf` and `iat` (whole seconds, at most 5m); also how long after `exp` an open connection is closed with 4401 (`TOKEN_EXPIRED`, the client resumes with a fresh token)");
    public static final Setting<Duration> MAX_LIFETIME = SETTINGS.duration("RECINGEST_JWT_MAX_LIFETIME", Duration.ofHours(24),
            "longest validity a token may have, from its `iat` (from now if it has none); longer: 4401");
    public static final Setting<String> AUDIENCE = SETTINGS.string("RECINGEST_JWT_AUDIENCE", "recingest",
            "a token with an `aud` claim must name this audience (one minted for another service is refused); tokens of the `token` command carry it");
    public static final Setting<Boolean> REQUIRE_AUDIENCE = SETTINGS.bool("RECINGEST_JWT_REQUIRE_AUDIENCE", false,
            "`true`: a token without `aud` is refused too");

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
        return new TokenPolicy(LEEWAY.defaultValue(), MAX_LIFETIME.defaultValue(), AUDIENCE.defaultValue(),
                REQUIRE_AUDIENCE.defaultValue());
    }

    public static TokenPolicy from(Settings s) {
        return new TokenPolicy(s.get(LEEWAY), s.get(MAX_LIFETIME), s.get(AUDIENCE), s.get(REQUIRE_AUDIENCE));
    }
}
