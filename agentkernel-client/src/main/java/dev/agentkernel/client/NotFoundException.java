package dev.agentkernel.client;

/** The sandbox, file or route does not exist (HTTP 404). */
public final class NotFoundException extends AgentKernelException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception, e.g. for a test double of a client.
     *
     * @param message the server's message, e.g. {@code sandbox 'x' not found}
     */
    public NotFoundException(String message) {
        super(404, message, null);
    }
}
