package dev.recingest.protocol;

import java.security.SecureRandom;
import java.util.regex.Pattern;

/**
 * A validated recording id. Validation happens here, once, before an id can reach a Redis key or an
 * S3 key: the allowed alphabet has no '/', '.', space or '{', so an id can neither leave its S3 prefix
 * nor change the Redis hash tag of its keys.
 */
public record RecordingId(String value) {

    public static final Pattern PATTERN = Pattern.compile("^[A-Za-z0-9_-]{1,128}$");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

    public RecordingId {
        if (value == null || !PATTERN.matcher(value).matches()) {
            throw new IngestException(ErrorCode.BAD_REQUEST,
                    "recordingId must match " + PATTERN.pattern());
        }
    }

    public static RecordingId of(String value) {
        return new RecordingId(value);
    }

    /** A fresh id for a client that did not bring one: "rec-" and 20 random base-36 characters. */
    public static RecordingId generate() {
        StringBuilder sb = new StringBuilder("rec-");
        for (int i = 0; i < 20; i++) {
            sb.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
        }
        return new RecordingId(sb.toString());
    }

    @Override
    public String toString() {
        return value;
    }
}
