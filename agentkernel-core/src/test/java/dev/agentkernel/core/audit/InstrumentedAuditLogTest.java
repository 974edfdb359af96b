package dev.agentkernel.core.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentkernel.core.metrics.Metric;
import dev.agentkernel.core.metrics.Metrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class InstrumentedAuditLogTest {

    /** Counts what it is told, as "metric labels...". */
    static final class Recorded implements Metrics {
        final List<String> counted = new ArrayList<>();

        @Override
        public void count(Metric metric, double amount, String... labelValues) {
            metric.requireLabels(List.of(labelValues));
            counted.add(metric.metricName() + " " + String.join(",", labelValues) + " " + amount);
        }

        @Override
        public void time(Metric metric, Duration duration, String... labelValues) {
        }

        @Override
        public void sample(Metric metric, Supplier<Map<List<String>, ? extends Number>> values) {
        }
    }

    static final class Kept implements AuditLog {
        final List<AuditEvent> events = new ArrayList<>();

        @Override
        public void append(AuditEvent event) {
            events.add(event);
        }

        @Override
        public List<AuditEvent> forSandbox(String sandbox, int limit) {
            return events.stream().filter(e -> e.sandbox().orElse("").equals(sandbox)).toList();
        }

        @Override
        public List<AuditEvent> recent(int limit) {
            return List.copyOf(events);
        }
    }

    @Test
    void eventsAreCountedByTypeAndStampedWithTheRequestThatCausedThem() {
        Kept kept = new Kept();
        Recorded metrics = new Recorded();
        InstrumentedAuditLog log = new InstrumentedAuditLog(kept, metrics);
        log.append(AuditEvent.now(AuditEventType.SANDBOX_CREATED, "a", Map.of("profile", "moderate")));
        ScopedValue.where(RequestId.CURRENT, "req-9").run(() -> {
            log.append(AuditEvent.now(AuditEventType.SANDBOX_STARTED, "a", Map.of("id", "x")));
            log.append(AuditEvent.now(AuditEventType.SANDBOX_STARTED, "a", Map.of(InstrumentedAuditLog.REQUEST_ID, "own")));
        });
        assertThat(kept.events).hasSize(3);
        assertThat(kept.events.get(0).details()).doesNotContainKey("request_id");
        assertThat(kept.events.get(1).details()).containsEntry("id", "x").containsEntry("request_id", "req-9");
        assertThat(kept.events.get(2).details()).as("an id an event already names is kept")
                .containsEntry("request_id", "own");
        assertThat(metrics.counted).containsExactly("agentkernel.audit.events sandbox_created 1.0",
                "agentkernel.audit.events sandbox_started 1.0", "agentkernel.audit.events sandbox_started 1.0");
        assertThat(log.forSandbox("a", 10)).hasSize(3);
        assertThat(log.recent(10)).hasSize(3);
    }

    @Test
    void labelValuesMustMatchTheMetricsLabels() {
        assertThatThrownBy(() -> Metrics.NONE.count(Metric.AUDIT_EVENTS)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[type]");
        Metrics.NONE.count(Metric.AUDIT_EVENTS, "sandbox_created");
    }
}
