package dev.agentkernel.client;

/**
 * The one exception the client throws for anything the server or the connection to it
 * reports. Unchecked. Every failure is one of a closed set of subtypes, chosen from the HTTP
 * status and the envelope's {@code code} in exactly one place
 * ({@link #forStatus(int, String, String)}):
 *
 * <table>
 *   <caption>HTTP status (and code) to exception</caption>
 *   <tr><th>status</th><th>exception</th><th>meaning</th></tr>
 *   <tr><td>400, 413</td><td>{@link ValidationException}</td>
 *       <td>the request is invalid or too large; change it</td></tr>
 *   <tr><td>401</td><td>{@link AuthenticationException}</td><td>missing or wrong API key</td></tr>
 *   <tr><td>403</td><td>{@link PermissionDeniedException}</td>
 *       <td>the sandbox refused the operation (a read-only file system, file permissions), or a
 *       host directory is outside the allowed ones</td></tr>
 *   <tr><td>404 {@code session_not_found}</td><td>{@link SessionNotFoundException}</td>
 *       <td>no such code session (a {@link NotFoundException})</td></tr>
 *   <tr><td>404</td><td>{@link NotFoundException}</td><td>no such sandbox, file or route</td></tr>
 *   <tr><td>409</td><td>{@link ConflictException}</td>
 *       <td>the sandbox's state forbids it (already exists, stopped), or a code session's
 *       template or flavor differs</td></tr>
 *   <tr><td>429</td><td>{@link ResourceLimitException}</td>
 *       <td>a limit is reached: too many sandboxes or code sessions, or their memory budget</td></tr>
 *   <tr><td>500 {@code code_execution_failed}</td><td>{@link CodeExecutionException}</td>
 *       <td>a code session's interpreter cannot be started (a {@link ServerException})</td></tr>
 *   <tr><td>5xx, any other</td><td>{@link ServerException}</td>
 *       <td>the server is shutting down or failed; also a response that is not the API's</td></tr>
 *   <tr><td>none (0)</td><td>{@link ConnectionException}</td>
 *       <td>no response: refused, reset, timed out, interrupted</td></tr>
 * </table>
 *
 * <p>{@link #getMessage()} is the server's own message (the envelope's {@code error}), written
 * for people; {@link #code()} is the envelope's machine-readable kind, for programs;
 * {@link #toString()} adds the exception type, the status and the code.
 */
public abstract sealed class AgentKernelException extends RuntimeException
        permits ValidationException, AuthenticationException, PermissionDeniedException, NotFoundException,
        ConflictException, ResourceLimitException, ServerException, ConnectionException {

    private static final long serialVersionUID = 1L;
    /** The HTTP status, or 0 when there was none. */
    private final int status;
    /** The envelope's code, or null when there was none. */
    private final String code;

    AgentKernelException(int status, String message, Throwable cause) {
        this(status, null, message, cause);
    }

    AgentKernelException(int status, String code, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.code = code == null || code.isBlank() ? null : code;
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
     * The machine-readable kind of the failure, as the server's error envelope names it
     * ({@code "code"}): e.g. {@code invalid_request}, {@code not_found}, {@code session_not_found},
     * {@code conflict}, {@code permission_denied}, {@code resource_exhausted},
     * {@code resource_limit}, {@code code_execution_failed}, {@code shutting_down},
     * {@code no_route}. Stable across versions, unlike {@link #getMessage()}.
     *
     * @return the code, or empty when the response had none (an older server, a proxy, no
     *         response at all, an error inside an event stream)
     */
    public java.util.Optional<String> code() {
        return java.util.Optional.ofNullable(code);
    }

    /**
     * Whether sending the same request again later may succeed without doing its work twice: true
     * for 429 (a limit of sandboxes or sessions is reached), 502, 503 (the server is shutting down),
     * 504 and a connection that could not be made; false for a client-side timeout or a broken
     * connection, after which the command may still be running on the server (see
     * {@link ConnectionException#mayHaveReachedServer()}).
     *
     * @return whether a retry may help
     */
    public boolean retryable() {
        return false;
    }

    @Override
    public String toString() {
        String type = getClass().getSimpleName();
        String detail = status > 0 && code != null ? " (HTTP " + status + ", " + code + ")"
                : status > 0 ? " (HTTP " + status + ")" : code != null ? " (" + code + ")" : "";
        return type + detail + ": " + getMessage();
    }

    /**
     * The exception for an error response: the only place that maps statuses and codes to types.
     *
     * @param status  the HTTP status, not 2xx
     * @param code    the envelope's code, or null
     * @param message the server's message
     */
    static AgentKernelException forStatus(int status, String code, String message) {
        return switch (status) {
            case 400, 413 -> new ValidationException(status, code, message);
            case 401 -> new AuthenticationException(code, message);
            case 403 -> new PermissionDeniedException(code, message);
            case 404 -> SessionNotFoundException.CODE.equals(code) ? new SessionNotFoundException(message)
                    : new NotFoundException(code, message);
            case 409 -> new ConflictException(code, message);
            case 429 -> new ResourceLimitException(code, message);
            case 500 -> CodeExecutionException.CODE.equals(code) ? new CodeExecutionException(message)
                    : new ServerException(status, code, message, null);
            default -> new ServerException(status, code, message, null);
        };
    }
}
