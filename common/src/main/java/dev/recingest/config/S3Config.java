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
 */
public record S3Config(URI endpoint, String region, String bucket, String prefix, String accessKey,
                       String secretKey, boolean pathStyle, int maxConcurrency) {

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
        if (maxConcurrency < 1) {
            throw new IllegalArgumentException("S3 max concurrency must be at least 1");
        }
    }

    public static S3Config from(Settings s) {
        String endpoint = s.string("RECINGEST_S3_ENDPOINT", null);
        return new S3Config(endpoint == null ? null : URI.create(endpoint),
                s.string("RECINGEST_S3_REGION", "us-east-1"),
                s.string("RECINGEST_S3_BUCKET", "recordings"),
                s.string("RECINGEST_S3_PREFIX", ""),
                s.string("AWS_ACCESS_KEY_ID", null),
                s.string("AWS_SECRET_ACCESS_KEY", null),
                s.bool("RECINGEST_S3_PATH_STYLE", endpoint != null),
                s.integer("RECINGEST_S3_MAX_CONCURRENCY", 256));
    }

    @Override
    public String toString() {
        return "S3Config[endpoint=" + endpoint + ", region=" + region + ", bucket=" + bucket + ", prefix=" + prefix
                + ", accessKey=" + (accessKey == null ? "(default chain)" : "***") + ", pathStyle=" + pathStyle
                + ", maxConcurrency=" + maxConcurrency + "]";
    }
}
