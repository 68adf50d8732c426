package dev.recingest.auth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.interfaces.DecodedJWT;
import com.auth0.jwt.interfaces.JWTVerifier;
import com.auth0.jwt.interfaces.Verification;
import dev.recingest.protocol.ErrorCode;
import dev.recingest.protocol.IngestException;
import dev.recingest.protocol.RecordingId;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Issues and verifies recording tokens with one shared HS256 secret, under a {@link TokenPolicy}. */
public final class Tokens {

    /**
     * What a verified token allows, until {@code expiresAt}. Exactly one of {@code recording} and
     * {@code prefix} is set.
     */
    public record Grant(String subject, String recording, String prefix, Instant expiresAt) {

        /**
         * A prefix covers whole segments of an id, segments being separated by '-' or '_': {@code tenant1}
         * covers {@code tenant1}, {@code tenant1-cam} and {@code tenant1_cam} but not {@code tenant10-cam},
         * which belongs to another tenant. A prefix that ends with a separator ({@code room7-}) covers the ids
         * that start with it; the empty prefix covers every id.
         */
        public boolean covers(RecordingId id) {
            if (recording != null) {
                return recording.equals(id.value());
            }
            String v = id.value();
            if (prefix.isEmpty() || endsWithSeparator(prefix)) {
                return v.startsWith(prefix);
            }
            return v.equals(prefix) || (v.startsWith(prefix) && isSeparator(v.charAt(prefix.length())));
        }

        /** A fresh id this grant covers, for a start without a recording id. */
        public RecordingId newId() {
            if (recording != null) {
                return RecordingId.of(recording);
            }
            String joint = prefix.isEmpty() || endsWithSeparator(prefix) ? "" : "-";
            return RecordingId.of(prefix + joint + RecordingId.generate().value());
        }

        private static boolean endsWithSeparator(String s) {
            return isSeparator(s.charAt(s.length() - 1));
        }

        private static boolean isSeparator(char c) {
            return c == '-' || c == '_';
        }
    }

    private final Algorithm algorithm;
    private final JWTVerifier verifier;
    private final TokenPolicy policy;

    /** Tokens under the {@link TokenPolicy#defaults() default policy}. */
    public Tokens(String secret) {
        this(secret, TokenPolicy.defaults());
    }

    public Tokens(String secret, TokenPolicy policy) {
        if (secret == null || secret.getBytes(StandardCharsets.UTF_8).length < 32) {
            throw new IllegalArgumentException("the JWT secret must be at least 32 bytes");
        }
        this.algorithm = Algorithm.HMAC256(secret.getBytes(StandardCharsets.UTF_8));
        this.policy = policy;
        Verification v = JWT.require(algorithm).withClaimPresence("exp").acceptLeeway(policy.leeway().toSeconds());
        if (policy.requireAudience()) {
            v = v.withAnyOfAudience(policy.audience());
        }
        this.verifier = v.build();
    }

    public TokenPolicy policy() {
        return policy;
    }

    /**
     * Verifies signature, expiry (with the leeway), audience and lifetime; UNAUTHORIZED (4401) for anything
     * that is not a valid token.
     */
    public Grant verify(String token) {
        if (token == null || token.isBlank()) {
            throw new IngestException(ErrorCode.UNAUTHORIZED, "a token is required");
        }
        DecodedJWT jwt;
        try {
            jwt = verifier.verify(token);
        } catch (JWTVerificationException e) {
            throw new IngestException(ErrorCode.UNAUTHORIZED, "invalid token: " + e.getMessage());
        }
        List<String> audience = jwt.getAudience();
        if (audience != null && !audience.isEmpty() && !audience.contains(policy.audience())) {
            throw new IngestException(ErrorCode.UNAUTHORIZED, "token is for another audience, not '"
                    + policy.audience() + "'");
        }
        Instant expires = jwt.getExpiresAtAsInstant();
        Instant issued = jwt.getIssuedAtAsInstant() != null ? jwt.getIssuedAtAsInstant() : Instant.now();
        if (Duration.between(issued, expires).compareTo(policy.maxLifetime().plus(policy.leeway())) > 0) {
            throw new IngestException(ErrorCode.UNAUTHORIZED, "token is valid for longer than the "
                    + policy.maxLifetime().toMinutes() + " minutes a token may be");
        }
        String rec = jwt.getClaim("rec").asString();
        String prefix = jwt.getClaim("rec_prefix").asString();
        if (rec == null && prefix == null) {
            throw new IngestException(ErrorCode.UNAUTHORIZED, "token has neither 'rec' nor 'rec_prefix'");
        }
        return new Grant(jwt.getSubject(), rec, rec == null ? prefix : null, expires);
    }

    /** A token for one recording id. */
    public String issueForRecording(String subject, String recordingId, Duration validity) {
        return issue(subject, validity).withClaim("rec", recordingId).sign(algorithm);
    }

    /** A token for every recording id under {@code prefix} ("" = any id; see {@link Grant#covers}). */
    public String issueForPrefix(String subject, String prefix, Duration validity) {
        return issue(subject, validity).withClaim("rec_prefix", prefix).sign(algorithm);
    }

    private com.auth0.jwt.JWTCreator.Builder issue(String subject, Duration validity) {
        Instant now = Instant.now();
        return JWT.create().withSubject(subject).withAudience(policy.audience()).withIssuedAt(now)
                .withExpiresAt(now.plus(validity));
    }
}
