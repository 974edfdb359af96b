package dev.agentkernel.core.task;

import java.time.Duration;

/** How one attempt at running a task ended. */
public sealed interface TaskOutcome {

    /**
     * The program exited (0: completed, anything else: failed).
     *
     * @param exitCode its exit code
     */
    record Exited(int exitCode) implements TaskOutcome {
    }

    /**
     * The program ran past its timeout and was killed.
     *
     * @param timeout the limit
     */
    record TimedOut(Duration timeout) implements TaskOutcome {
    }

    /**
     * The task failed without an exit code of its own: killed by the kernel (e.g. out of memory)
     * or by a signal it did not ask for, or it asked for something that does not exist.
     *
     * @param reason what happened, for a person
     */
    record Failed(String reason) implements TaskOutcome {
    }

    /** The task was cancelled and its processes killed. */
    record Cancelled() implements TaskOutcome {
    }

    /**
     * The task could not be run for a reason of the infrastructure (the sandbox did not start,
     * the connection to it broke): the task may be retried.
     *
     * @param message what went wrong
     */
    record InfrastructureFailure(String message) implements TaskOutcome {
    }
}
