package dev.agentkernel.core.session;

import java.util.Objects;

/**
 * The driver's answer to one {@link DriverRequest}.
 *
 * @param id              the request's id
 * @param stdout          what the code wrote to standard output (for Python and Node followed by
 *                        the REPL-style representation of a final expression's value, if any)
 * @param stderr          what the code wrote to standard error
 * @param success         whether the code ran to the end without an error
 * @param error           the error when {@code success} is false, else {@code null}
 * @param executionTimeMs how long the code ran, as measured by the driver
 */
public record DriverResult(long id, String stdout, String stderr, boolean success, CodeError error, long executionTimeMs) {

    public DriverResult {
        stdout = Objects.requireNonNullElse(stdout, "");
        stderr = Objects.requireNonNullElse(stderr, "");
    }

    /** Whether the request failed because its time limit ran out. */
    public boolean timedOut() {
        return error != null && CodeError.TIMEOUT.equals(error.type());
    }

    /** Whether the request was aborted by SIGINT. */
    public boolean interrupted() {
        return error != null && CodeError.INTERRUPTED.equals(error.type());
    }
}
