package dev.agentkernel.client;

import java.util.Objects;

/**
 * The answer to {@link AgentKernel#cancelTask}: whether this call cancelled the task, and the
 * task as it is now.
 *
 * @param cancelled whether the task was running (or queued) and is now cancelled, its processes
 *                  killed; false if it had already ended
 * @param message   what happened, for people, e.g. {@code task task-1 already ended: completed}
 * @param task      the task afterwards
 */
public record Cancellation(boolean cancelled, String message, TaskInfo task) {

    /** Checks for nulls. */
    public Cancellation {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(task, "task");
    }
}
