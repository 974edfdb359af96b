package dev.agentkernel.core.metrics;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Where instrumented classes report what happens. Thread-safe, never throws for a metric that
 * is kept (a wrong number of label values is a programming error and throws). Label values are
 * given in the order of {@link Metric#labels()}.
 */
public interface Metrics {

    /** Adds {@code amount} to a {@link Metric.Kind#COUNTER}. */
    void count(Metric metric, double amount, String... labelValues);

    /** Counts one event of a {@link Metric.Kind#TIMER} that took {@code duration}. */
    void time(Metric metric, Duration duration, String... labelValues);

    /**
     * Registers a {@link Metric.Kind#GAUGE} or {@link Metric.Kind#SAMPLED_COUNTER} read at every
     * scrape: {@code values} gives the value of each label set (its label values in order; an
     * empty list for a metric without labels). Label sets it stops giving read 0 from then on.
     */
    void sample(Metric metric, Supplier<Map<List<String>, ? extends Number>> values);

    /** Counts one event of a {@link Metric.Kind#COUNTER}. */
    default void count(Metric metric, String... labelValues) {
        count(metric, 1, labelValues);
    }

    /** Metrics that keep nothing (tools and tests that run without a daemon). */
    Metrics NONE = new Metrics() {
        @Override
        public void count(Metric metric, double amount, String... labelValues) {
            metric.requireLabels(List.of(labelValues));
        }

        @Override
        public void time(Metric metric, Duration duration, String... labelValues) {
            metric.requireLabels(List.of(labelValues));
        }

        @Override
        public void sample(Metric metric, Supplier<Map<List<String>, ? extends Number>> values) {
        }
    };
}
