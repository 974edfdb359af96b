package dev.agentkernel.client;

/**
 * The server refused the request as invalid (HTTP 400: a bad field, name, path or command) or
 * too large (HTTP 413: a body or file over the server's limit). Sending it again unchanged
 * fails again; the message says what to change.
 */
public final class ValidationException extends AgentKernelException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception, e.g. for a test double of a client.
     *
     * @param status  400 or 413
     * @param message what is wrong with the request
     */
    public ValidationException(int status, String message) {
        super(status, message, null);
    }

    ValidationException(int status, String code, String message) {
        super(status, code, message, null);
    }
}
