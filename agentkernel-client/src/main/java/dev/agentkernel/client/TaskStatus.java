package dev.agentkernel.client;

import java.util.Locale;

/**
 * Where a background task is in its life ({@link TaskInfo#status()}). A task waiting for a
 * worker is {@link #RUNNING} too ({@link TaskInfo#queued()} tells them apart).
 */
public enum TaskStatus {
    /** Queued or running. */
    RUNNING,
    /** The code ran to its end with exit code 0. */
    COMPLETED,
    /** The code failed (an exception, a non-zero exit) or could not be run; {@link TaskInfo#error()} says why. */
    FAILED,
    /** The code ran past its timeout and was killed. */
    TIMEOUT,
    /** The task was cancelled and its processes were killed. */
    CANCELLED;

    /**
     * The status's name in the API.
     *
     * @return {@code running}, {@code completed}, {@code failed}, {@code timeout} or {@code cancelled}
     */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Whether the task has ended: every status but {@link #RUNNING}. A final status never changes.
     *
     * @return whether it is final
     */
    public boolean isFinal() {
        return this != RUNNING;
    }

    /**
     * The status of an API name.
     *
     * @param id e.g. {@code completed}
     * @return the status
     * @throws IllegalArgumentException for a name that is none of the five
     */
    public static TaskStatus fromId(String id) {
        for (TaskStatus s : values()) {
            if (s.id().equals(id)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown task status '" + id + "': expected running, completed, failed, "
                + "timeout or cancelled");
    }
}
