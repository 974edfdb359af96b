package dev.agentkernel.bench;

import java.util.Arrays;

/** Durations in nanoseconds, collected from any thread; summarized by {@link Stats}. */
final class Samples {

    private long[] values = new long[256];
    private int count;

    /** Adds one duration. */
    synchronized void add(long nanos) {
        if (count == values.length) {
            values = Arrays.copyOf(values, count * 2);
        }
        values[count++] = nanos;
    }

    /** Forgets every sample (after a warm-up). */
    synchronized void clear() {
        count = 0;
    }

    synchronized int count() {
        return count;
    }

    synchronized Stats stats() {
        return Stats.of(values, count);
    }
}
