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
        this(message, cause, false);
    }

    /**
     * Creates the exception.
     *
     * @param message what failed and how to fix it
     * @param cause   the underlying I/O failure, or null
     * @param notSent true only when the request certainly never reached the server (no connection
     *                could be made), so that sending it again cannot do its work twice
     */
    public ConnectionException(String message, Throwable cause, boolean notSent) {
        super(0, message, cause);
        this.notSent = notSent;
    }

    private final boolean notSent;

    /**
     * Whether the request may have reached the server: false only when no connection could be made.
     * A response that did not come in time (the client's timeout), a connection that broke or an
     * interruption leave the command possibly running on the server.
     *
     * @return whether the server may have received (and be running) the request
     */
    public boolean mayHaveReachedServer() {
        return !notSent;
    }

    /**
     * True only when the request never reached the server (no connection could be made): a
     * client-side timeout is <em>not</em> retryable, because the command keeps running on the server
     * and sending it again would run it twice. Retry such a call only if running it twice is what
     * you want.
     */
    @Override
    public boolean retryable() {
        return notSent;
    }
}
