package dev.agentkernel.bench;

import java.util.Arrays;

/**
 * Summary of one variant's measured rounds, in milliseconds. Percentiles are nearest-rank:
 * the smallest sample with at least p% of the samples at or below it (with 60 samples p99
 * is the maximum).
 *
 * @param n    number of measured rounds that succeeded
 * @param p50  median
 * @param p90  90th percentile
 * @param p99  99th percentile
 * @param mean arithmetic mean
 * @param min  fastest round
 * @param max  slowest round
 */
record Stats(int n, double p50, double p90, double p99, double mean, double min, double max) {

    static Stats of(long[] nanos, int count) {
        if (count == 0) {
            return new Stats(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        long[] sorted = Arrays.copyOf(nanos, count);
        Arrays.sort(sorted);
        double sum = 0;
        for (long v : sorted) {
            sum += v;
        }
        return new Stats(count, ms(percentile(sorted, 50)), ms(percentile(sorted, 90)), ms(percentile(sorted, 99)),
                sum / count / 1e6, ms(sorted[0]), ms(sorted[count - 1]));
    }

    static long percentile(long[] sorted, double p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.clamp(rank - 1, 0, sorted.length - 1)];
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
