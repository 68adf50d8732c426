package dev.recingest.auth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.interfaces.DecodedJWT;
import com.auth0.jwt.interfaces.JWTVerifier;
import dev.recingest.protocol.ErrorCode;
import dev.recingest.protocol.IngestException;
import dev.recingest.protocol.RecordingId;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

/** Issues and verifies recording tokens with one shared HS256 secret. */
public final class Tokens {

    /** What a verified token allows. Exactly one of {@code recording} and {@code prefix} is set. */
    public record Grant(String subject, String recording, String prefix) {

        public boolean covers(RecordingId id) {
            return recording != null ? recording.equals(id.value()) : id.value().startsWith(prefix);
        }
    }

    private final Algorithm algorithm;
    private final JWTVerifier verifier;

    public Tokens(String secret) {
        if (secret == null || secret.getBytes(StandardCharsets.UTF_8).length < 32) {
            throw new IllegalArgumentException("the JWT secret must be at least 32 bytes");
        }
        this.algorithm = Algorithm.HMAC256(secret.getBytes(StandardCharsets.UTF_8));
        this.verifier = JWT.require(algorithm).withClaimPresence("exp").build();
    }

    /** Verifies signature and expiry; UNAUTHORIZED (4401) for anything that is not a valid token. */
    public Grant verify(String token) {
        if (token == null || token.isBlank()) {
            throw new IngestException(ErrorCode.UNAUTHORIZED, "a token is required");
        }
        try {
            DecodedJWT jwt = verifier.verify(token);
            String rec = jwt.getClaim("rec").asString();
            String prefix = jwt.getClaim("rec_prefix").asString();
            if (rec == null && prefix == null) {
                throw new IngestException(ErrorCode.UNAUTHORIZED, "token has neither 'rec' nor 'rec_prefix'");
            }
            return new Grant(jwt.getSubject(), rec, rec == null ? prefix : null);
        } catch (JWTVerificationException e) {
            throw new IngestException(ErrorCode.UNAUTHORIZED, "invalid token: " + e.getMessage());
        }
    }

    /** A token for one recording id. */
    public String issueForRecording(String subject, String recordingId, Duration validity) {
        return JWT.create().withSubject(subject).withClaim("rec", recordingId)
                .withExpiresAt(Instant.now().plus(validity)).sign(algorithm);
    }

    /** A token for every recording id that starts with {@code prefix} ("" = any id). */
    public String issueForPrefix(String subject, String prefix, Duration validity) {
        return JWT.create().withSubject(subject).withClaim("rec_prefix", prefix)
                .withExpiresAt(Instant.now().plus(validity)).sign(algorithm);
    }
}
