package dev.agentkernel.core.session;

/**
 * What an {@code execute_code} call gave.
 *
 * @param sessionId       the session the code ran in
 * @param template        its interpreter
 * @param flavor          its size
 * @param sessionCreated  whether this call created the session
 * @param stateLost       whether the interpreter was replaced during or before this call, losing its in-memory state
 * @param stdout          what the code wrote to standard output
 * @param stderr          what the code wrote to standard error
 * @param success         whether the code ran to its end without an error
 * @param error           the error when not {@code success}, else {@code null}
 * @param executionTimeMs how long the code ran
 */
public record ExecuteResult(String sessionId, InterpreterTemplate template, Flavor flavor, boolean sessionCreated,
                            boolean stateLost, String stdout, String stderr, boolean success, CodeError error,
                            long executionTimeMs) {
}
