package dev.recingest.config;

import java.net.URI;
import java.util.Objects;

/**
 * The object store. {@code endpoint} null means AWS itself; set it for MinIO or the embedded server.
 * Credentials come from the environment ({@code AWS_ACCESS_KEY_ID} / {@code AWS_SECRET_ACCESS_KEY})
 * and are never printed.
 *
 * @param prefix         prepended to every key; empty or ending in '/'
 * @param maxConcurrency the HTTP connection pool of the S3 client, sized to the in-flight limit
 * @param publicEndpoint where browsers reach the same S3 server, used only for presigned URLs (a
 *                       signature covers the host, so the URL must be signed for the host the browser
 *                       will call: in docker-compose the services say {@code http://minio:9000}, which no
 *                       browser resolves); null: the same as {@code endpoint}
 */
public record S3Config(URI endpoint, String region, String bucket, String prefix, String accessKey,
                       String secretKey, boolean pathStyle, int maxConcurrency, URI publicEndpoint) {

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
    }

    /** Without a separate public endpoint: presigned URLs use {@code endpoint}. */
    public S3Config(URI endpoint, String region, String bucket, String prefix, String accessKey, String secretKey,
                    boolean pathStyle, int maxConcurrency) {
        this(endpoint, region, bucket, prefix, accessKey, secretKey, pathStyle, maxConcurrency, null);
    }

    public static S3Config from(Settings s) {
        String endpoint = s.string("RECINGEST_S3_ENDPOINT", null);
        String publicEndpoint = s.string("RECINGEST_S3_PUBLIC_ENDPOINT", null);
        return new S3Config(endpoint == null ? null : URI.create(endpoint),
                s.string("RECINGEST_S3_REGION", "us-east-1"),
                s.string("RECINGEST_S3_BUCKET", "recordings"),
                s.string("RECINGEST_S3_PREFIX", ""),
                s.string("AWS_ACCESS_KEY_ID", null),
                s.string("AWS_SECRET_ACCESS_KEY", null),
                s.bool("RECINGEST_S3_PATH_STYLE", endpoint != null),
                s.integer("RECINGEST_S3_MAX_CONCURRENCY", 256),
                publicEndpoint == null ? null : URI.create(publicEndpoint));
    }

    @Override
    public String toString() {
        return "S3Config[endpoint=" + endpoint + ", region=" + region + ", bucket=" + bucket + ", prefix=" + prefix
                + ", accessKey=" + (accessKey == null ? "(default chain)" : "***") + ", pathStyle=" + pathStyle
                + ", maxConcurrency=" + maxConcurrency + ", publicEndpoint=" + publicEndpoint + "]";
    }
}
