package dev.recingest.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PromQlTest {

    @Test
    void findsMetricsWithTheirEqualityMatchers() {
        assertEquals(List.of(new PromQl.Selector("recingest_chunks_total", Map.of("outcome", "nacked")),
                        new PromQl.Selector("recingest_chunks_total", Map.of())),
                PromQl.selectors("sum(rate(recingest_chunks_total{outcome=\"nacked\"}[5m])) "
                        + "/ sum(rate(recingest_chunks_total{outcome=~\"acked|nacked\"}[5m])) > 0.05"));
    }

    @Test
    void skipsFunctionsKeywordsGroupingLabelsAndGrafanaVariables() {
        assertEquals(List.of(new PromQl.Selector("recingest_ack_latency_seconds_bucket", Map.of())),
                PromQl.selectors("histogram_quantile(0.99, sum by (le) "
                        + "(rate(recingest_ack_latency_seconds_bucket[$__rate_interval])))"));
        assertEquals(List.of(new PromQl.Selector("recingest_recordings_unfinished", Map.of("state", "recording")),
                        new PromQl.Selector("recingest_chunks_total", Map.of("outcome", "acked"))),
                PromQl.selectors("max(recingest_recordings_unfinished{state=\"recording\"}) > 0\nand on()\n"
                        + "sum(rate(recingest_chunks_total{outcome=\"acked\"}[5m])) == 0"));
        assertEquals(List.of(new PromQl.Selector("up", Map.of("job", "recingest-merger"))),
                PromQl.selectors("absent(up{job=\"recingest-merger\"} == 1)"));
        assertEquals(List.of(new PromQl.Selector("x_total", Map.of())),
                PromQl.selectors("sum without (instance) (increase(x_total[1h] offset 1d)) * 1e3"));
    }
}
