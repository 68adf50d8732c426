package dev.recingest.merge;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.recingest.merge.MergeMetrics.Outcome;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class MergeMetricsTest {

    @Test
    void prometheusNamesAreTheDocumentedOnes() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        MergeMetrics metrics = new MergeMetrics(registry);
        metrics.record(Outcome.COMPLETED, Duration.ofSeconds(2));
        metrics.inputBytes(1234);
        AtomicLong progress = metrics.started();
        progress.addAndGet(99);
        String text = registry.scrape();
        assertTrue(text.contains("recingest_merge_jobs_total{outcome=\"completed\"} 1.0"), text);
        assertTrue(text.contains("recingest_merge_jobs_total{outcome=\"retried\"} 0.0"), text);
        assertTrue(text.contains("recingest_merge_duration_seconds_count{outcome=\"completed\"} 1"), text);
        // A histogram, so durations add up across mergers: 2 s falls in the 2 s bucket, not the 1 s one.
        assertTrue(text.contains("recingest_merge_duration_seconds_bucket{outcome=\"completed\",le=\"1.0\"} 0"), text);
        assertTrue(text.contains("recingest_merge_duration_seconds_bucket{outcome=\"completed\",le=\"2.0\"} 1"), text);
        assertTrue(text.contains("recingest_merge_duration_seconds_bucket{outcome=\"completed\",le=\"+Inf\"} 1"), text);
        assertTrue(text.contains("recingest_merge_input_bytes_total 1234.0"), text);
        assertTrue(text.contains("recingest_merge_progress_bytes 99.0"), text);
        assertTrue(text.contains("recingest_merge_jobs_total{outcome=\"deferred\"} 0.0"), text);
        assertTrue(text.contains("recingest_merge_jobs_total{outcome=\"rejected\"} 0.0"), text);
        metrics.failed(MergeError.FFMPEG_FAILED);
        metrics.workDirFree(() -> 4096);
        text = registry.scrape();
        assertTrue(text.contains("recingest_merge_failures_total{code=\"FFMPEG_FAILED\"} 1.0"), text);
        assertTrue(text.contains("recingest_merge_failures_total{code=\"NO_SPACE\"} 0.0"), text);
        assertTrue(text.contains("recingest_merge_work_dir_free_bytes 4096.0"), text);
        metrics.finished(progress);
        assertTrue(registry.scrape().contains("recingest_merge_progress_bytes 0.0"));
    }
}
