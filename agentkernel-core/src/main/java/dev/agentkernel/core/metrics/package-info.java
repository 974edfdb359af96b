/**
 * The daemon's metrics as core sees them: {@link dev.agentkernel.core.metrics.Metric} (every metric,
 * its kind, labels and meaning) and {@link dev.agentkernel.core.metrics.Metrics} (where instrumented
 * classes report). No metrics library here: the server's implementation writes them in the
 * Prometheus text format.
 */
package dev.agentkernel.core.metrics;
