package dev.agentkernel.client;

/**
 * The request conflicts with the sandbox's current state (HTTP 409): a sandbox of that name
 * already exists, or the sandbox is stopped and must be started first.
 */
public final class ConflictException extends AgentKernelException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception, e.g. for a test double of a client.
     *
     * @param message the server's message
     */
    public ConflictException(String message) {
        super(409, message, null);
    }

    ConflictException(String code, String message) {
        super(409, code, message, null);
    }
}
