package dev.agentkernel.client;

/**
 * A limit of the server is reached (HTTP 429): too many sandboxes or one-off commands run
 * (code {@code resource_exhausted}), or too many code sessions exist or their memory budget is
 * used up and no idle session may be evicted (code {@code resource_limit}). Nothing was
 * created. Retry later ({@link #retryable()} is true), or free something first: remove a
 * sandbox, delete a code session ({@link AgentKernel#deleteSession(String)}).
 */
public final class ResourceLimitException extends AgentKernelException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception, e.g. for a test double of a client.
     *
     * @param message the server's message
     */
    public ResourceLimitException(String message) {
        super(429, message, null);
    }

    ResourceLimitException(String code, String message) {
        super(429, code, message, null);
    }

    @Override
    public boolean retryable() {
        return true;
    }
}
