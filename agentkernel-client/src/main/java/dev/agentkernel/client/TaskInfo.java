package dev.agentkernel.client;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A background task as the daemon describes it ({@link AgentKernel#getTask},
 * {@link AgentKernel#waitForTask}, {@link AgentKernel#listTasks}). Tasks outlive the client
 * and the daemon (they are kept in its database). Values a server does not report are empty,
 * 0 or false.
 *
 * @param taskId        its id, e.g. {@code task-3f9c2a61d0b84e7f}
 * @param status        where it is; {@link TaskStatus#isFinal()} once it ended
 * @param queued        whether it still waits for a worker (the daemon runs a few tasks at once)
 * @param output        its standard output so far; all of it once it ended (only the end of a very long
 *                      output). With {@link TaskOptions#verbose()} also its standard error and timings
 * @param error         why it failed, timed out or was cancelled (a Python traceback, say), when it did
 * @param exitCode      its program's exit code, once it exited
 * @param attempts      how many times it was started (more than once after failures of the
 *                      infrastructure, never because the code itself failed)
 * @param template      its interpreter: {@code python}, {@code node} or {@code bash}
 * @param timeout       how long it may run
 * @param verbose       whether its output carries its standard error and timings
 * @param requiredTools the tool libraries it asked for
 * @param code          its code, when the daemon reports it (empty otherwise)
 * @param createdAt     when it was dispatched
 * @param startedAt     when a worker started it (empty while queued)
 * @param finishedAt    when it ended
 */
public record TaskInfo(String taskId, TaskStatus status, boolean queued, String output, Optional<String> error,
                       Optional<Integer> exitCode, int attempts, String template, Duration timeout, boolean verbose,
                       List<String> requiredTools, Optional<String> code, Optional<Instant> createdAt,
                       Optional<Instant> startedAt, Optional<Instant> finishedAt) {

    /** Checks for nulls and copies. */
    public TaskInfo {
        Objects.requireNonNull(taskId, "taskId");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(error, "error");
        Objects.requireNonNull(exitCode, "exitCode");
        Objects.requireNonNull(template, "template");
        Objects.requireNonNull(timeout, "timeout");
        requiredTools = List.copyOf(requiredTools);
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(finishedAt, "finishedAt");
    }

    /**
     * Whether the task has ended, as {@link TaskStatus#isFinal()}.
     *
     * @return whether its status is final
     */
    public boolean isFinal() {
        return status.isFinal();
    }

    /**
     * Whether it ran to its end with exit code 0.
     *
     * @return whether its status is {@link TaskStatus#COMPLETED}
     */
    public boolean completed() {
        return status == TaskStatus.COMPLETED;
    }
}
