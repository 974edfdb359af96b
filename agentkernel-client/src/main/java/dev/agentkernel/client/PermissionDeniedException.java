package dev.agentkernel.client;

/**
 * The sandbox refused the operation (HTTP 403): for example writing a file on the sandbox's
 * read-only root file system, or a file its permissions protect. Not an API-key problem (that
 * is {@link AuthenticationException}).
 */
public final class PermissionDeniedException extends AgentKernelException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception, e.g. for a test double of a client.
     *
     * @param message the server's message
     */
    public PermissionDeniedException(String message) {
        super(403, message, null);
    }

    PermissionDeniedException(String code, String message) {
        super(403, code, message, null);
    }
}
