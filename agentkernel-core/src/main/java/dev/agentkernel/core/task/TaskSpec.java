package dev.agentkernel.core.task;

import dev.agentkernel.core.session.InterpreterTemplate;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What a task runs.
 *
 * @param code          the program (Python by default)
 * @param template      its interpreter
 * @param timeout       how long it may run
 * @param verbose       whether its result also carries its stderr and timings in the output
 * @param requiredTools tool libraries (names of entries of the tools directory) it needs
 */
public record TaskSpec(String code, InterpreterTemplate template, Duration timeout, boolean verbose,
                       List<String> requiredTools) {

    /** Validates and copies. */
    public TaskSpec {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(template, "template");
        Objects.requireNonNull(timeout, "timeout");
        requiredTools = List.copyOf(requiredTools);
    }
}
