package dev.agentkernel.client;

/**
 * The server could not carry out a valid request: it is shutting down (503) or failed (500
 * and other 5xx); also any status the API does not use, a response that is not the API's
 * envelope (e.g. from a proxy), and an {@code error} event that ends an event stream (status
 * 0). A code session's interpreter that cannot start is the subtype
 * {@link CodeExecutionException}. A limit reached (429) is a {@link ResourceLimitException}
 * instead. See {@link #retryable()}.
 */
public sealed class ServerException extends AgentKernelException permits CodeExecutionException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception, e.g. for a test double of a client.
     *
     * @param status  the HTTP status, or 0 for an error reported inside an event stream
     * @param message the server's message
     */
    public ServerException(int status, String message) {
        super(status, message, null);
    }

    ServerException(int status, String message, Throwable cause) {
        super(status, message, cause);
    }

    ServerException(int status, String code, String message, Throwable cause) {
        super(status, code, message, cause);
    }

    @Override
    public boolean retryable() {
        int s = status();
        return s == 502 || s == 503 || s == 504;
    }
}
