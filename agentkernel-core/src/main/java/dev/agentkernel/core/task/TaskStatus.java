package dev.agentkernel.core.task;

import java.util.Locale;

/** Where a task is in its life. A queued task is {@link #RUNNING} without a start time. */
public enum TaskStatus {
    /** Queued or running. */
    RUNNING,
    /** The code ran to its end with exit code 0. */
    COMPLETED,
    /** The code failed (non-zero exit, an exception) or could not be run. */
    FAILED,
    /** The code ran past its timeout and was killed. */
    TIMEOUT,
    /** The task was cancelled; its processes were killed. */
    CANCELLED;

    /** The status's name in the API: {@code running}, {@code completed}, ... */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether the task has ended (every status but {@link #RUNNING}). */
    public boolean isFinal() {
        return this != RUNNING;
    }

    /**
     * The status with the given API name.
     *
     * @throws IllegalArgumentException for an unknown name
     */
    public static TaskStatus fromId(String id) {
        return valueOf(id.toUpperCase(Locale.ROOT));
    }
}
