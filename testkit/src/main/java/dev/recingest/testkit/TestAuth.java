package dev.recingest.testkit;

import dev.recingest.auth.Tokens;
import java.util.Map;

/**
 * The auth a test's gateways run with: the JWT secret (and {@link #tokens} that sign with it) and the admin token,
 * and the settings that hand both to a gateway. Test values, never a deployment's: the gateway refuses placeholder
 * secrets, so these are long and distinct.
 */
public record TestAuth(String jwtSecret, String adminToken) {

    /** What the gateway tests use. */
    public static final TestAuth DEFAULT = new TestAuth("test-secret-test-secret-test-secret-0123", "admin-token-for-tests");

    /** Signs recording and prefix tokens with {@link #jwtSecret}. */
    public Tokens tokens() {
        return new Tokens(jwtSecret);
    }

    /** {@code RECINGEST_JWT_SECRET} and {@code RECINGEST_ADMIN_TOKEN}. */
    public Map<String, String> settings() {
        return Map.of("RECINGEST_JWT_SECRET", jwtSecret, "RECINGEST_ADMIN_TOKEN", adminToken);
    }
}
