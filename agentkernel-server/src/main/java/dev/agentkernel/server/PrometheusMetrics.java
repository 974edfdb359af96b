package dev.agentkernel.server;

import dev.agentkernel.core.metrics.Metric;
import dev.agentkernel.core.metrics.Metrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * {@link Metrics} on Micrometer's Prometheus registry: counters, timers with a latency histogram
 * (fixed buckets from 5 ms to 2 min) and gauges read at every {@link #scrape()}. Thread-safe.
 */
public final class PrometheusMetrics implements Metrics {

    /** The content type of {@link #scrape()}: the Prometheus text format 0.0.4. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private static final Duration[] BUCKETS = {Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
            Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10),
            Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(120)};

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final List<Sampled> sampled = new ArrayList<>();
    /** Counters and timers by metric and label values: looked up once, not built and registered per event. */
    private final Map<Meter, io.micrometer.core.instrument.Meter> meters = new ConcurrentHashMap<>();

    /** One meter of a metric: its label values. */
    private record Meter(Metric metric, List<String> labelValues) {
    }

    /** A registry with no meters yet. */
    public PrometheusMetrics() {
    }

    @Override
    public void count(Metric metric, double amount, String... labelValues) {
        require(metric, Metric.Kind.COUNTER);
        ((Counter) meters.computeIfAbsent(new Meter(metric, List.of(labelValues)), m -> Counter.builder(metric.metricName())
                .description(metric.description()).tags(tags(metric, m.labelValues())).register(registry)))
                .increment(amount);
    }

    @Override
    public void time(Metric metric, Duration duration, String... labelValues) {
        require(metric, Metric.Kind.TIMER);
        ((Timer) meters.computeIfAbsent(new Meter(metric, List.of(labelValues)), m -> Timer.builder(metric.metricName())
                .description(metric.description()).tags(tags(metric, m.labelValues())).serviceLevelObjectives(BUCKETS)
                .register(registry))).record(duration);
    }

    @Override
    public synchronized void sample(Metric metric, Supplier<Map<List<String>, ? extends Number>> values) {
        if (metric.kind() != Metric.Kind.GAUGE && metric.kind() != Metric.Kind.SAMPLED_COUNTER) {
            throw new IllegalArgumentException(metric.metricName() + " is not sampled");
        }
        sampled.add(new Sampled(metric, values,
                metric.kind() == Metric.Kind.GAUGE
                        ? MultiGauge.builder(metric.metricName()).description(metric.description()).register(registry)
                        : null));
    }

    /**
     * Every metric in the Prometheus text format, the sampled ones read now. A sampler that fails
     * keeps its last values (the failure is logged).
     */
    public synchronized String scrape() {
        for (Sampled s : sampled) {
            s.refresh();
        }
        return registry.scrape();
    }

    private static void require(Metric metric, Metric.Kind kind) {
        if (metric.kind() != kind) {
            throw new IllegalArgumentException(metric.metricName() + " is a " + metric.kind() + ", not a " + kind);
        }
    }

    private static Tags tags(Metric metric, List<String> values) {
        metric.requireLabels(values);
        List<Tag> tags = new ArrayList<>(values.size());
        for (int i = 0; i < values.size(); i++) {
            tags.add(Tag.of(metric.labels().get(i), values.get(i)));
        }
        return Tags.of(tags);
    }

    /** A sampled metric: a multi-gauge, or function counters reading the last values. */
    private final class Sampled {
        private final Metric metric;
        private final Supplier<Map<List<String>, ? extends Number>> values;
        private final MultiGauge gauge;
        private final Map<Tags, Double> last = new ConcurrentHashMap<>();

        Sampled(Metric metric, Supplier<Map<List<String>, ? extends Number>> values, MultiGauge gauge) {
            this.metric = metric;
            this.values = values;
            this.gauge = gauge;
        }

        void refresh() {
            Map<List<String>, ? extends Number> now;
            try {
                now = values.get();
            } catch (RuntimeException e) {
                System.getLogger(PrometheusMetrics.class.getName()).log(System.Logger.Level.WARNING,
                        "cannot read " + metric.metricName() + ": " + e.getMessage());
                return;
            }
            if (gauge != null) {
                List<MultiGauge.Row<?>> rows = new ArrayList<>();
                now.forEach((labels, value) -> rows.add(MultiGauge.Row.of(tags(metric, labels), value)));
                gauge.register(rows, true);
                return;
            }
            for (Map.Entry<List<String>, ? extends Number> e : now.entrySet()) {
                Tags tags = tags(metric, e.getKey());
                if (last.put(tags, e.getValue().doubleValue()) == null) {
                    FunctionCounter.builder(metric.metricName(), last, m -> m.getOrDefault(tags, 0.0))
                            .description(metric.description()).tags(tags).register(registry);
                }
            }
        }
    }
}
