package dev.agentkernel.client;

import java.util.Objects;
import java.util.Optional;

/**
 * How a task run to its end by {@link AgentKernel#executeTask} ended: its status, its output and
 * its error, the {@code (result, output, error)} of other AgentKernel clients' {@code execute_task}.
 * Code that failed is a result ({@link #status()} {@link TaskStatus#FAILED}), not an exception.
 *
 * @param taskId   the task's id, to look it up again ({@link AgentKernel#getTask})
 * @param status   how it ended: completed, failed, timeout or cancelled (never running)
 * @param output   its standard output
 * @param error    why it failed, timed out or was cancelled, when it did
 * @param exitCode its program's exit code, when it exited
 */
public record TaskResult(String taskId, TaskStatus status, String output, Optional<String> error,
                         Optional<Integer> exitCode) {

    /** Checks for nulls. */
    public TaskResult {
        Objects.requireNonNull(taskId, "taskId");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(error, "error");
        Objects.requireNonNull(exitCode, "exitCode");
    }

    /**
     * The result of a task that ended.
     *
     * @param task the task as the daemon describes it
     * @return its status, output, error and exit code
     */
    public static TaskResult of(TaskInfo task) {
        return new TaskResult(task.taskId(), task.status(), task.output(), task.error(), task.exitCode());
    }

    /**
     * Whether it ran to its end with exit code 0.
     *
     * @return whether the status is {@link TaskStatus#COMPLETED}
     */
    public boolean completed() {
        return status == TaskStatus.COMPLETED;
    }
}
