package dev.agentkernel.api;

import java.util.List;

/**
 * A background task, everything about it: the one task JSON of {@code /tasks}, the MCP task tools
 * and the CLI's {@code task --json}.
 *
 * @param taskId        its id
 * @param status        running, completed, failed, timeout or cancelled
 * @param queued        whether it waits for a worker
 * @param output        its standard output (so far)
 * @param error         why it failed, timed out or was cancelled; null otherwise
 * @param exitCode      its program's exit code, once it exited
 * @param attempts      attempts so far
 * @param code          the code it runs
 * @param template      python, node or bash
 * @param timeout       its time limit in seconds
 * @param verbose       verbose output
 * @param requiredTools tool libraries it uses
 * @param createdAt     when it was dispatched
 * @param startedAt     when it started, or null
 * @param finishedAt    when it ended, or null
 */
public record TaskView(String taskId, String status, boolean queued, String output, @Nullable String error,
                       @Nullable Integer exitCode, int attempts, String code, String template, double timeout,
                       boolean verbose, List<String> requiredTools, String createdAt, @Nullable String startedAt,
                       @Nullable String finishedAt) {
    public TaskView {
        requiredTools = Check.strings(requiredTools, "required_tools");
    }

    /** Whether it has ended (completed, failed, timeout or cancelled). */
    public boolean finished() {
        return !status.equals("running");
    }
}
