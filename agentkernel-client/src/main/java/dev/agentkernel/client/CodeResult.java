package dev.agentkernel.client;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What code run in a code session produced ({@link AgentKernel#executeCode},
 * {@link CodeSession#execute}). Code that raised is a result too ({@link #success()} false,
 * {@link #error()} says why), not an exception.
 *
 * @param sessionId      the session it ran in: give it to later calls to keep the state
 * @param template       the session's interpreter, e.g. {@code python}
 * @param flavor         the session's size, e.g. {@code small}
 * @param sessionCreated whether this call created the session
 * @param stateLost      whether the interpreter died and was replaced during this call: the
 *                       session's variables are gone, its files are kept
 * @param stdout         what the code printed to standard output, including the value of a
 *                       final expression (Python and Node), e.g. {@code "42\n"}
 * @param stderr         what it printed to standard error
 * @param success        whether it ran without raising
 * @param error          why it failed, when it did
 * @param executionTime  how long it ran in the interpreter
 */
public record CodeResult(String sessionId, String template, String flavor, boolean sessionCreated, boolean stateLost,
                         String stdout, String stderr, boolean success, Optional<CodeError> error,
                         Duration executionTime) {

    /** Checks for nulls. */
    public CodeResult {
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(template, "template");
        Objects.requireNonNull(flavor, "flavor");
        Objects.requireNonNull(stdout, "stdout");
        Objects.requireNonNull(stderr, "stderr");
        Objects.requireNonNull(error, "error");
        Objects.requireNonNull(executionTime, "executionTime");
    }
}
