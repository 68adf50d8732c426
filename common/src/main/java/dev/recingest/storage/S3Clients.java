package dev.recingest.storage;

import dev.recingest.config.S3Config;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/** Builds the SDK clients from {@link S3Config}. */
public final class S3Clients {

    /**
     * Backoff between attempts: exponential with full jitter from 100 ms, capped at 2 s, so that the
     * attempts of a call fit its budget rather than the SDK's 20 s cap.
     */
    static final Duration BACKOFF_BASE = Duration.ofMillis(100);
    static final Duration BACKOFF_CAP = Duration.ofSeconds(2);

    private S3Clients() {
    }

    /**
     * The SDK's standard strategy (retries 5xx, throttling, connection and I/O errors) with the
     * configured attempts. Its circuit breaker (a token bucket shared by all calls that stops retrying
     * once many fail) is off: during an outage every chunk should get the same, predictable budget
     * before its nack; the clients' resends after a nack are the outer retry loop.
     */
    static RetryStrategy retryStrategy(S3Config c) {
        return AwsRetryStrategy.standardRetryStrategy().toBuilder()
                .maxAttempts(c.maxAttempts())
                .backoffStrategy(BackoffStrategy.exponentialDelay(BACKOFF_BASE, BACKOFF_CAP))
                .throttlingBackoffStrategy(BackoffStrategy.exponentialDelay(BACKOFF_BASE.multipliedBy(5), BACKOFF_CAP))
                .circuitBreakerEnabled(false)
                .build();
    }

    public static S3AsyncClient async(S3Config c) {
        var builder = S3AsyncClient.builder()
                .region(Region.of(c.region()))
                .credentialsProvider(credentials(c))
                .forcePathStyle(c.pathStyle())
                // S3-compatible servers (s3proxy, older MinIO) reject the x-amz-checksum-* headers that
                // recent SDKs send by default; compute checksums only where the API requires them.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .overrideConfiguration(o -> o.retryStrategy(retryStrategy(c))
                        .apiCallAttemptTimeout(c.attemptTimeout())
                        .apiCallTimeout(c.callTimeout()))
                .httpClientBuilder(NettyNioAsyncHttpClient.builder()
                        .maxConcurrency(c.maxConcurrency())
                        .maxPendingConnectionAcquires(100_000)
                        .connectionAcquisitionTimeout(Duration.ofSeconds(30))
                        .connectionTimeout(Duration.ofSeconds(5)));
        if (c.endpoint() != null) {
            builder.endpointOverride(c.endpoint());
        }
        return builder.build();
    }

    /** Signs URLs for {@code publicEndpoint} when one is set: the host a browser calls is part of the signature. */
    public static S3Presigner presigner(S3Config c) {
        var builder = S3Presigner.builder()
                .region(Region.of(c.region()))
                .credentialsProvider(credentials(c))
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(c.pathStyle()).build());
        if (c.publicEndpoint() != null) {
            builder.endpointOverride(c.publicEndpoint());
        } else if (c.endpoint() != null) {
            builder.endpointOverride(c.endpoint());
        }
        return builder.build();
    }

    private static AwsCredentialsProvider credentials(S3Config c) {
        if (c.accessKey() != null && c.secretKey() != null) {
            return StaticCredentialsProvider.create(AwsBasicCredentials.create(c.accessKey(), c.secretKey()));
        }
        return DefaultCredentialsProvider.builder().build();
    }
}
