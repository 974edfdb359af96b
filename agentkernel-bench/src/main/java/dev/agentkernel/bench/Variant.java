package dev.agentkernel.bench;

import java.util.Arrays;

/**
 * One thing being timed, with its samples. Not thread-safe: the harness runs rounds on one
 * thread.
 */
final class Variant {

    /** One round: does the work and returns how long the timed part took, in nanoseconds. */
    @FunctionalInterface
    interface Round {
        long run() throws Exception;
    }

    private static final int MAX_CONSECUTIVE_FAILURES = 5;

    final String name;
    /** A few words naming it in other rows. */
    final String shortName;
    final Round round;
    /** For breakdown rows: the variant this one is compared with, or null. */
    final Variant reference;
    private long[] samples = new long[256];
    private int count;
    private int failures;
    private int consecutiveFailures;
    private String lastError;
    private boolean disabled;

    Variant(String name, String shortName, Variant reference, Round round) {
        this.name = name;
        this.shortName = shortName;
        this.reference = reference;
        this.round = round;
    }

    /** Runs one round; records the time when {@code measured}. */
    void runOnce(boolean measured) {
        if (disabled) {
            return;
        }
        try {
            long nanos = round.run();
            consecutiveFailures = 0;
            if (measured) {
                if (count == samples.length) {
                    samples = Arrays.copyOf(samples, count * 2);
                }
                samples[count++] = nanos;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (Exception e) {
            failures++;
            consecutiveFailures++;
            lastError = e.getMessage() == null ? e.toString() : e.getMessage();
            System.err.println("bench: " + name + ": round failed: " + lastError);
            if (consecutiveFailures >= MAX_CONSECUTIVE_FAILURES) {
                disabled = true;
                System.err.println("bench: " + name + ": " + MAX_CONSECUTIVE_FAILURES
                        + " failures in a row, dropping this variant");
            }
        }
    }

    Stats stats() {
        return Stats.of(samples, count);
    }

    int failures() {
        return failures;
    }

    String lastError() {
        return lastError;
    }

    boolean disabled() {
        return disabled;
    }
}
