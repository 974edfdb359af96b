package dev.agentkernel.client;

/**
 * The sandbox, file, code session or route does not exist (HTTP 404). A code session that
 * does not exist (any more) is the subtype {@link SessionNotFoundException}.
 */
public sealed class NotFoundException extends AgentKernelException permits SessionNotFoundException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception, e.g. for a test double of a client.
     *
     * @param message the server's message, e.g. {@code sandbox 'x' not found}
     */
    public NotFoundException(String message) {
        super(404, message, null);
    }

    NotFoundException(String code, String message) {
        super(404, code, message, null);
    }
}
