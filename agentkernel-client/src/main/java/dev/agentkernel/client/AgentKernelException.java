package dev.agentkernel.client;

/**
 * The one exception the client throws for anything the server or the connection to it
 * reports. Unchecked. Every failure is one of a closed set of subtypes, chosen from the HTTP
 * status in exactly one place ({@link #forStatus(int, String)}):
 *
 * <table>
 *   <caption>HTTP status to exception</caption>
 *   <tr><th>status</th><th>exception</th><th>meaning</th></tr>
 *   <tr><td>400, 413</td><td>{@link ValidationException}</td>
 *       <td>the request is invalid or too large; change it</td></tr>
 *   <tr><td>401</td><td>{@link AuthenticationException}</td><td>missing or wrong API key</td></tr>
 *   <tr><td>403</td><td>{@link PermissionDeniedException}</td>
 *       <td>the sandbox refused the operation (a read-only file system, file permissions)</td></tr>
 *   <tr><td>404</td><td>{@link NotFoundException}</td><td>no such sandbox, file or route</td></tr>
 *   <tr><td>409</td><td>{@link ConflictException}</td>
 *       <td>the sandbox's state forbids it (already exists, stopped)</td></tr>
 *   <tr><td>429, 5xx, any other</td><td>{@link ServerException}</td>
 *       <td>the server is busy, shutting down, or failed; also a response that is not the API's</td></tr>
 *   <tr><td>none (0)</td><td>{@link ConnectionException}</td>
 *       <td>no response: refused, reset, timed out, interrupted</td></tr>
 * </table>
 *
 * <p>{@link #getMessage()} is the server's own message (the envelope's {@code error}), written
 * for people; {@link #toString()} adds the exception type and the status.
 */
public abstract sealed class AgentKernelException extends RuntimeException
        permits ValidationException, AuthenticationException, PermissionDeniedException, NotFoundException,
        ConflictException, ServerException, ConnectionException {

    private static final long serialVersionUID = 1L;
    /** The HTTP status, or 0 when there was none. */
    private final int status;

    AgentKernelException(int status, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    /**
     * The HTTP status of the response that reported the failure, or 0 when there was no
     * status to report: no response at all ({@link ConnectionException}), or an {@code error}
     * event inside an event stream that had already started with 200.
     *
     * @return the HTTP status, or 0
     */
    public int status() {
        return status;
    }

    /**
     * Whether sending the same request again later may succeed: true for 429 (too many
     * sandboxes running), 502, 503 (the server is shutting down), 504 and connection failures.
     * It says nothing about whether the failed attempt had effects (a run cut off by a reset
     * connection may have started).
     *
     * @return whether a retry may help
     */
    public boolean retryable() {
        return false;
    }

    @Override
    public String toString() {
        String type = getClass().getSimpleName();
        return (status > 0 ? type + " (HTTP " + status + ")" : type) + ": " + getMessage();
    }

    /**
     * The exception for an error response: the only place that maps statuses to types.
     *
     * @param status  the HTTP status, not 2xx
     * @param message the server's message
     */
    static AgentKernelException forStatus(int status, String message) {
        return switch (status) {
            case 400, 413 -> new ValidationException(status, message);
            case 401 -> new AuthenticationException(message);
            case 403 -> new PermissionDeniedException(message);
            case 404 -> new NotFoundException(message);
            case 409 -> new ConflictException(message);
            default -> new ServerException(status, message);
        };
    }
}
