package dev.agentkernel.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A background task as the product document's MCP tools give it ({@code get_background_task_status},
 * {@code wait_for_background_task}, {@code execute_task} with {@code exit_code}).
 *
 * @param taskId   its id
 * @param status   running, completed, failed, timeout or cancelled
 * @param output   its standard output (so far)
 * @param error    why it failed; null otherwise
 * @param exitCode its program's exit code ({@code execute_task} only)
 */
public record TaskState(String taskId, String status, String output, @Nullable String error,
                        @JsonInclude(JsonInclude.Include.NON_NULL) Integer exitCode) {

    /** {@code task} without its exit code. */
    public static TaskState of(TaskView task) {
        return new TaskState(task.taskId(), task.status(), task.output(), task.error(), null);
    }

    /** {@code task} with its exit code (absent until it exited). */
    public static TaskState withExitCode(TaskView task) {
        return new TaskState(task.taskId(), task.status(), task.output(), task.error(), task.exitCode());
    }
}
