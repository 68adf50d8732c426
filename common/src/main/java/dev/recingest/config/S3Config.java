package dev.recingest.config;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * The object store. {@code endpoint} null means AWS itself; set it for MinIO or the embedded server.
 * Credentials come from the environment ({@code AWS_ACCESS_KEY_ID} / {@code AWS_SECRET_ACCESS_KEY})
 * and are never printed.
 *
 * <p>The retry budget of one call is explicit, not the SDK's default (which depends on
 * {@code AWS_RETRY_MODE}, retries at most 3 times but has no time limit: a store that accepts
 * connections and then hangs held a chunk for minutes). A call gets {@code maxAttempts} attempts,
 * each cut at {@code attemptTimeout}, with exponential backoff between them, and gives up at
 * {@code callTimeout} whatever is left; the gateway then nacks the chunk and the client resends it.
 *
 * @param prefix         prepended to every key; empty or ending in '/'
 * @param maxConcurrency the HTTP connection pool of the S3 client, sized to the in-flight limit
 * @param maxAttempts    attempts per call, the first included (RECINGEST_S3_MAX_ATTEMPTS, 4)
 * @param attemptTimeout one attempt, request sent to response read (RECINGEST_S3_ATTEMPT_TIMEOUT, 15s)
 * @param callTimeout    one call with all its attempts and backoffs (RECINGEST_S3_CALL_TIMEOUT, 40s); keep
 *                       it below the clients' ack timeout (60 s in the Java client) so they hear a nack
 * @param publicEndpoint where browsers reach the same S3 server, used only for presigned URLs (a
 *                       signature covers the host, so the URL must be signed for the host the browser
 *                       will call: in docker-compose the services say {@code http://minio:9000}, which no
 *                       browser resolves); null: the same as {@code endpoint}
 */
public record S3Config(URI endpoint, String region, String bucket, String prefix, String accessKey,
                       String secretKey, boolean pathStyle, int maxConcurrency, int maxAttempts,
                       Duration attemptTimeout, Duration callTimeout, URI publicEndpoint) {

    public static final int DEFAULT_MAX_ATTEMPTS = 4;
    public static final Duration DEFAULT_ATTEMPT_TIMEOUT = Duration.ofSeconds(15);
    public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(40);

    public static final SettingGroup SETTINGS = new SettingGroup("S3");
    public static final Setting<String> ENDPOINT = SETTINGS.add(Setting.string("RECINGEST_S3_ENDPOINT", null,
            "S3-compatible endpoint (MinIO, …); unset: AWS").defaultsTo("AWS"));
    public static final Setting<String> PUBLIC_ENDPOINT = SETTINGS.add(Setting.string("RECINGEST_S3_PUBLIC_ENDPOINT", null,
            "the S3 address browsers use; presigned output URLs are signed for it").defaultsTo("RECINGEST_S3_ENDPOINT"));
    public static final Setting<String> REGION = SETTINGS.string("RECINGEST_S3_REGION", "us-east-1", "S3 region");
    public static final Setting<String> BUCKET = SETTINGS.string("RECINGEST_S3_BUCKET", "recordings", "bucket of chunks and outputs");
    public static final Setting<String> PREFIX = SETTINGS.string("RECINGEST_S3_PREFIX", "",
            "prepended to every key (relative, no `..`; a `/` is added)");
    public static final Setting<Boolean> PATH_STYLE = SETTINGS.add(Setting.bool("RECINGEST_S3_PATH_STYLE", null,
            "path-style requests (`http://host/bucket/key`), which MinIO and most S3-compatible servers need")
            .defaultsTo("true with RECINGEST_S3_ENDPOINT, else false"));
    public static final Setting<String> ACCESS_KEY = SETTINGS.add(Setting.string("AWS_ACCESS_KEY_ID", null,
            "S3 access key; unset: the AWS SDK's default credentials chain").defaultsTo("default chain"));
    public static final Setting<String> SECRET_KEY = SETTINGS.add(Setting.string("AWS_SECRET_ACCESS_KEY", null,
            "S3 secret key; unset: the AWS SDK's default credentials chain").secret(0).defaultsTo("default chain"));
    public static final Setting<Integer> MAX_CONCURRENCY = SETTINGS.integer("RECINGEST_S3_MAX_CONCURRENCY", 256,
            "S3 connection pool");
    public static final Setting<Integer> MAX_ATTEMPTS = SETTINGS.integer("RECINGEST_S3_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS,
            "attempts per S3 call (retries of 5xx, throttling, connection and I/O errors; backoff 100 ms…2 s)");
    public static final Setting<Duration> ATTEMPT_TIMEOUT = SETTINGS.duration("RECINGEST_S3_ATTEMPT_TIMEOUT",
            DEFAULT_ATTEMPT_TIMEOUT, "one attempt of an S3 call, request sent to response read");
    public static final Setting<Duration> CALL_TIMEOUT = SETTINGS.duration("RECINGEST_S3_CALL_TIMEOUT", DEFAULT_CALL_TIMEOUT,
            "one S3 call with all its attempts; past it a chunk is nacked and the client resends it (keep it below the clients' ack timeout)");

    public S3Config {
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(region, "region");
        prefix = prefix == null ? "" : prefix;
        if (!prefix.isEmpty() && !prefix.endsWith("/")) {
            prefix = prefix + "/";
        }
        if (prefix.startsWith("/") || prefix.contains("..")) {
            throw new IllegalArgumentException("S3 prefix must be relative and must not contain '..'");
        }
        if (publicEndpoint != null && (publicEndpoint.getScheme() == null || publicEndpoint.getHost() == null)) {
            throw new IllegalArgumentException("RECINGEST_S3_PUBLIC_ENDPOINT must be an absolute URL such as "
                    + "http://localhost:9000, got " + publicEndpoint);
        }
        if (maxConcurrency < 1) {
            throw new IllegalArgumentException("S3 max concurrency must be at least 1");
        }
        if (maxAttempts < 1 || maxAttempts > 20) {
            throw new IllegalArgumentException("S3 max attempts must be between 1 and 20");
        }
        Objects.requireNonNull(attemptTimeout, "attemptTimeout");
        Objects.requireNonNull(callTimeout, "callTimeout");
        if (attemptTimeout.isNegative() || attemptTimeout.isZero() || callTimeout.compareTo(attemptTimeout) < 0) {
            throw new IllegalArgumentException("S3 attempt timeout must be positive and the call timeout at least as long");
        }
    }

    /** With the default retry budget and no separate public endpoint (presigned URLs use {@code endpoint}). */
    public S3Config(URI endpoint, String region, String bucket, String prefix, String accessKey, String secretKey,
                    boolean pathStyle, int maxConcurrency) {
        this(endpoint, region, bucket, prefix, accessKey, secretKey, pathStyle, maxConcurrency, null);
    }

    /** With the default retry budget. */
    public S3Config(URI endpoint, String region, String bucket, String prefix, String accessKey, String secretKey,
                    boolean pathStyle, int maxConcurrency, URI publicEndpoint) {
        this(endpoint, region, bucket, prefix, accessKey, secretKey, pathStyle, maxConcurrency, DEFAULT_MAX_ATTEMPTS,
                DEFAULT_ATTEMPT_TIMEOUT, DEFAULT_CALL_TIMEOUT, publicEndpoint);
    }

    public static S3Config from(Settings s) {
        String endpoint = s.get(ENDPOINT);
        String publicEndpoint = s.get(PUBLIC_ENDPOINT);
        return new S3Config(endpoint == null ? null : URI.create(endpoint), s.get(REGION), s.get(BUCKET), s.get(PREFIX),
                s.get(ACCESS_KEY), s.get(SECRET_KEY), s.find(PATH_STYLE).orElse(endpoint != null),
                s.get(MAX_CONCURRENCY), s.get(MAX_ATTEMPTS), s.get(ATTEMPT_TIMEOUT), s.get(CALL_TIMEOUT),
                publicEndpoint == null ? null : URI.create(publicEndpoint));
    }

    /** A copy with another retry budget. */
    public S3Config withRetryBudget(int attempts, Duration perAttempt, Duration perCall) {
        return new S3Config(endpoint, region, bucket, prefix, accessKey, secretKey, pathStyle, maxConcurrency,
                attempts, perAttempt, perCall, publicEndpoint);
    }

    @Override
    public String toString() {
        return "S3Config[endpoint=" + endpoint + ", region=" + region + ", bucket=" + bucket + ", prefix=" + prefix
                + ", accessKey=" + (accessKey == null ? "(default chain)" : "***") + ", pathStyle=" + pathStyle
                + ", maxConcurrency=" + maxConcurrency + ", maxAttempts=" + maxAttempts + ", attemptTimeout="
                + attemptTimeout + ", callTimeout=" + callTimeout + ", publicEndpoint=" + publicEndpoint + "]";
    }
}
