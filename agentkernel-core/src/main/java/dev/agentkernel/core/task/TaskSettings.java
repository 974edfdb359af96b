package dev.agentkernel.core.task;

import java.time.Duration;

/**
 * How background tasks run.
 *
 * @param maxWorkers     tasks that run at once; more wait in a queue, in order
 * @param defaultTimeout a task's time limit when it asks for none
 * @param maxTimeout     the longest time limit a task may ask for
 * @param maxRetries     how many times a task that failed for a reason of the infrastructure is tried again
 *                       (never for a failure of its own code)
 * @param maxQueued      tasks that may be queued or running at once; more are refused
 * @param outputLimit    bytes of output kept per task (the end is kept when it writes more)
 * @param keep           finished tasks listed (the oldest are dropped from the list, not from the store)
 */
public record TaskSettings(int maxWorkers, Duration defaultTimeout, Duration maxTimeout, int maxRetries, int maxQueued,
                           int outputLimit, int keep) {

    /** Validates. */
    public TaskSettings {
        if (maxWorkers < 1 || maxQueued < maxWorkers || maxRetries < 0 || outputLimit < 1024 || keep < 1) {
            throw new IllegalArgumentException("task settings out of range: " + maxWorkers + " workers, " + maxQueued
                    + " queued, " + maxRetries + " retries, " + outputLimit + " output bytes");
        }
        if (defaultTimeout.isNegative() || defaultTimeout.isZero() || maxTimeout.compareTo(defaultTimeout) < 0) {
            throw new IllegalArgumentException("the default task timeout must be positive and at most the maximum");
        }
    }

    /** 5 workers, 300 s per task (at most 1 h), 2 retries, 1000 tasks at once, 1 MiB of output each, 1000 listed. */
    public static TaskSettings defaults() {
        return new TaskSettings(5, Duration.ofSeconds(300), Duration.ofHours(1), 2, 1000, 1 << 20, 1000);
    }

    /** A copy with another number of workers. */
    public TaskSettings withMaxWorkers(int value) {
        return new TaskSettings(value, defaultTimeout, maxTimeout, maxRetries, Math.max(maxQueued, value), outputLimit, keep);
    }

    /** A copy with another default timeout (the maximum grows to it if needed). */
    public TaskSettings withDefaultTimeout(Duration value) {
        return new TaskSettings(maxWorkers, value, maxTimeout.compareTo(value) < 0 ? value : maxTimeout, maxRetries,
                maxQueued, outputLimit, keep);
    }

    /** A copy with another number of retries. */
    public TaskSettings withMaxRetries(int value) {
        return new TaskSettings(maxWorkers, defaultTimeout, maxTimeout, value, maxQueued, outputLimit, keep);
    }
}
