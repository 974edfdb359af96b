package dev.agentkernel.api;

/**
 * The result of code run in a session ({@code POST /execute}, MCP {@code execute_code}).
 *
 * @param sessionId       the session, to go on in
 * @param template        its template
 * @param flavor          its flavor
 * @param sessionCreated  whether this call created it
 * @param stateLost       whether its interpreter was replaced (variables are gone)
 * @param stdout          what the code printed
 * @param stderr          what it printed to stderr
 * @param success         whether it ran without an error
 * @param error           the error, or null
 * @param executionTimeMs how long it ran
 */
public record CodeResult(String sessionId, String template, String flavor, boolean sessionCreated, boolean stateLost,
                         String stdout, String stderr, boolean success, @Nullable CodeError error,
                         long executionTimeMs) {

    /**
     * @param type      e.g. {@code ZeroDivisionError}, {@code TimeoutError}
     * @param message   the message
     * @param traceback the traceback, as the interpreter printed it
     */
    public record CodeError(String type, String message, String traceback) {
    }
}
