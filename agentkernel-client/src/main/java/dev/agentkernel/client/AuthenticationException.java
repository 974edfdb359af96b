package dev.agentkernel.client;

/**
 * The server requires an API key and the request carried none or a wrong one (HTTP 401).
 * Set it with {@link ClientBuilder#apiKey(String)} or the {@code AGENTKERNEL_API_KEY}
 * environment variable.
 */
public final class AuthenticationException extends AgentKernelException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception, e.g. for a test double of a client.
     *
     * @param message the server's message
     */
    public AuthenticationException(String message) {
        super(401, message, null);
    }

    AuthenticationException(String code, String message) {
        super(401, code, message, null);
    }
}
