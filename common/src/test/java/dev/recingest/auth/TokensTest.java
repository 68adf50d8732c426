package dev.recingest.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTCreator;
import com.auth0.jwt.algorithms.Algorithm;
import dev.recingest.protocol.ErrorCode;
import dev.recingest.protocol.IngestException;
import dev.recingest.protocol.RecordingId;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TokensTest {

    private static final String SECRET = "tokens-test-secret-tokens-test-secret-01";
    private static final Algorithm HS256 = Algorithm.HMAC256(SECRET.getBytes(StandardCharsets.UTF_8));
    private final Tokens tokens = new Tokens(SECRET);

    /** A token as another issuer writes it: PROTOCOL.md's claims, and only those the test adds. */
    private static JWTCreator.Builder foreign(Instant exp) {
        return JWT.create().withClaim("rec", "r1").withExpiresAt(exp);
    }

    private void assertRefused(String token, String why) {
        IngestException e = assertThrows(IngestException.class, () -> tokens.verify(token), why);
        assertEquals(ErrorCode.UNAUTHORIZED, e.code(), e.getMessage());
    }

    @Test
    void aTokenWithOnlyTheClaimsOfTheProtocolIsAccepted() {
        Tokens.Grant g = tokens.verify(foreign(Instant.now().plusSeconds(600)).sign(HS256));
        assertEquals("r1", g.recording());
    }

    @Test
    void clockSkewWithinTheLeewayIsForgiven() {
        tokens.verify(foreign(Instant.now().minusSeconds(10)).sign(HS256));
        assertRefused(foreign(Instant.now().minusSeconds(60)).sign(HS256), "expired beyond the 30 s leeway");
        assertRefused(foreign(Instant.now().plusSeconds(600)).withIssuedAt(Instant.now().plusSeconds(120)).sign(HS256),
                "issued in the future");
    }

    @Test
    void aTokenValidForLongerThanTheMaxLifetimeIsRefused() {
        assertRefused(foreign(Instant.now().plus(Duration.ofDays(2))).sign(HS256), "2 days from now, no iat");
        assertRefused(foreign(Instant.now().plus(Duration.ofHours(23)))
                .withIssuedAt(Instant.now().minus(Duration.ofHours(2))).sign(HS256), "25 h from iat to exp");
        tokens.verify(foreign(Instant.now().plus(Duration.ofHours(23))).sign(HS256));
        Tokens shortLived = new Tokens(SECRET, new TokenPolicy(Duration.ofSeconds(30), Duration.ofHours(4), "recingest", false));
        assertThrows(IngestException.class, () -> shortLived.verify(foreign(Instant.now().plus(Duration.ofHours(5))).sign(HS256)));
    }

    @Test
    void aTokenForAnotherAudienceIsRefused() {
        assertRefused(foreign(Instant.now().plusSeconds(600)).withAudience("billing").sign(HS256), "aud billing");
        tokens.verify(foreign(Instant.now().plusSeconds(600)).withAudience("billing", "recingest").sign(HS256));
        Tokens strict = new Tokens(SECRET, new TokenPolicy(Duration.ofSeconds(30), Duration.ofHours(24), "recingest", true));
        assertThrows(IngestException.class, () -> strict.verify(foreign(Instant.now().plusSeconds(600)).sign(HS256)),
                "no aud where one is required");
        strict.verify(strict.issueForRecording("s", "r1", Duration.ofMinutes(5)));
    }

    @Test
    void theGrantSaysWhenTheTokenExpires() {
        Instant exp = Instant.now().plusSeconds(600);
        assertEquals(exp.getEpochSecond(), tokens.verify(foreign(exp).sign(HS256)).expiresAt().getEpochSecond());
    }

    @Test
    void aPrefixCoversWholeSegments() {
        Tokens.Grant tenant1 = new Tokens.Grant("s", null, "tenant1", Instant.MAX);
        assertTrue(tenant1.covers(RecordingId.of("tenant1")));
        assertTrue(tenant1.covers(RecordingId.of("tenant1-cam-2")));
        assertTrue(tenant1.covers(RecordingId.of("tenant1_cam")));
        assertFalse(tenant1.covers(RecordingId.of("tenant10-cam")));
        assertFalse(tenant1.covers(RecordingId.of("tenant1x")));
        assertFalse(tenant1.covers(RecordingId.of("tenant")));
        Tokens.Grant room7 = new Tokens.Grant("s", null, "room7-", Instant.MAX);
        assertTrue(room7.covers(RecordingId.of("room7-cam")));
        assertFalse(room7.covers(RecordingId.of("room7")));
        assertFalse(room7.covers(RecordingId.of("room70-cam")));
        Tokens.Grant any = new Tokens.Grant("s", null, "", Instant.MAX);
        assertTrue(any.covers(RecordingId.of("whatever")));
    }

    @Test
    void aGeneratedIdIsOneTheGrantCovers() {
        for (String prefix : new String[] {"tenant1", "room7-", "a_", ""}) {
            Tokens.Grant g = new Tokens.Grant("s", null, prefix, Instant.MAX);
            RecordingId id = g.newId();
            assertTrue(g.covers(id), prefix + " -> " + id);
        }
        assertTrue(new Tokens.Grant("s", null, "tenant1", Instant.MAX).newId().value().startsWith("tenant1-rec-"));
        assertEquals("r9", new Tokens.Grant("s", "r9", null, Instant.MAX).newId().value());
    }
}
