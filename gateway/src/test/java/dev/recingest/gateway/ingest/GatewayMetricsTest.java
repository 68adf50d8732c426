package dev.recingest.gateway.ingest;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class GatewayMetricsTest {

    @Test
    void ackLatencyIsAHistogramThatAddsUpAcrossGateways() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        GatewayMetrics metrics = new GatewayMetrics(registry, new AtomicLong());
        // An ack that took about 30 ms (the start is 30 ms before now; the clock runs on while recording it).
        metrics.acked(1000, System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(30));
        String text = registry.scrape();
        assertTrue(text.contains("recingest_ack_latency_seconds_bucket{le=\"0.025\"} 0"), text);
        assertTrue(text.contains("recingest_ack_latency_seconds_bucket{le=\"1.0\"} 1"), text);
        assertTrue(text.contains("recingest_ack_latency_seconds_bucket{le=\"+Inf\"} 1"), text);
        assertTrue(text.contains("recingest_ack_latency_seconds_count 1"), text);
        assertTrue(text.contains("recingest_chunk_bytes_total 1000.0"), text);
        // No client-side quantiles: they cannot be averaged across gateways.
        assertFalse(text.contains("quantile="), text);
    }
}
