package dev.agentkernel.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentkernel.core.metrics.Metric;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PrometheusMetricsTest {

    @Test
    void countersTimersAndSampledValuesAreWrittenInTheTextFormat() {
        PrometheusMetrics metrics = new PrometheusMetrics();
        metrics.count(Metric.AUDIT_EVENTS, "sandbox_created");
        metrics.count(Metric.AUDIT_EVENTS, "sandbox_created");
        metrics.count(Metric.IMAGE_PULL_BYTES, 1234);
        metrics.time(Metric.HTTP_REQUESTS, Duration.ofMillis(30), "POST", "/run", "200");
        AtomicInteger running = new AtomicInteger(2);
        metrics.sample(Metric.SANDBOXES, () -> Map.of(List.of("running", "bwrap"), running.get()));
        metrics.sample(Metric.POOL_MISSES, () -> Map.of(List.of(), 5L));
        String text = metrics.scrape();
        assertThat(text).contains("# TYPE agentkernel_audit_events_total counter")
                .contains("agentkernel_audit_events_total{type=\"sandbox_created\"} 2.0")
                .contains("agentkernel_image_pull_bytes_total 1234.0")
                .contains("# TYPE agentkernel_http_requests_seconds histogram")
                .contains("agentkernel_http_requests_seconds_count{method=\"POST\",route=\"/run\",status=\"200\"} 1")
                .contains("agentkernel_http_requests_seconds_bucket{method=\"POST\",route=\"/run\",status=\"200\",le=\"0.05\"} 1")
                .contains("agentkernel_http_requests_seconds_bucket{method=\"POST\",route=\"/run\",status=\"200\",le=\"0.025\"} 0")
                .contains("agentkernel_sandboxes{backend=\"bwrap\",state=\"running\"} 2.0")
                .contains("agentkernel_pool_misses_total 5.0")
                .contains("agentkernel_http_requests_seconds_max{method=\"POST\",route=\"/run\",status=\"200\"} 0.03")
                .contains("# HELP agentkernel_sandboxes Persistent sandboxes by state and backend");
        running.set(0);
        assertThat(metrics.scrape()).as("read again at every scrape")
                .contains("agentkernel_sandboxes{backend=\"bwrap\",state=\"running\"} 0.0");
    }

    @Test
    void aMetricIsKeptOnlyAsItsKindWithItsLabels() {
        PrometheusMetrics metrics = new PrometheusMetrics();
        assertThatThrownBy(() -> metrics.count(Metric.HTTP_REQUESTS, "GET", "/x", "200"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> metrics.time(Metric.HTTP_REQUESTS, Duration.ZERO, "GET"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[method, route, status]");
        assertThatThrownBy(() -> metrics.sample(Metric.AUDIT_EVENTS, Map::of)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aSamplerThatFailsKeepsTheScrapeWorking() {
        PrometheusMetrics metrics = new PrometheusMetrics();
        metrics.sample(Metric.CODE_SESSIONS, () -> {
            throw new IllegalStateException("closed");
        });
        metrics.count(Metric.IMAGE_PULLS, "ok");
        assertThat(metrics.scrape()).contains("agentkernel_image_pulls_total{outcome=\"ok\"} 1.0");
    }
}
