package dev.agentkernel.client;

/**
 * No complete response arrived: the daemon is not listening, the connection broke, the
 * request timed out on the client's side ({@link ClientBuilder#timeout}), the calling thread
 * was interrupted (its interrupt flag is set again), or an event stream ended before its
 * {@code done} or {@code error} event. {@link #status()} is 0.
 */
public final class ConnectionException extends AgentKernelException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception, e.g. for a test double of a client.
     *
     * @param message what failed and how to fix it
     * @param cause   the underlying I/O failure, or null
     */
    public ConnectionException(String message, Throwable cause) {
        super(0, message, cause);
    }

    @Override
    public boolean retryable() {
        return true;
    }
}
