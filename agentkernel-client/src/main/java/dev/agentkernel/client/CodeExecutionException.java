package dev.agentkernel.client;

/**
 * The server could not run code at all (HTTP 500 with code {@code code_execution_failed}): a
 * code session's interpreter could not be started. Code that runs and raises is not this: that
 * is a {@link CodeResult} with {@link CodeResult#success()} false. A {@link ServerException},
 * so code that handles those handles this too.
 */
public final class CodeExecutionException extends ServerException {

    /** The envelope's code of this failure. */
    static final String CODE = "code_execution_failed";
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception, e.g. for a test double of a client.
     *
     * @param message the server's message
     */
    public CodeExecutionException(String message) {
        super(500, CODE, message, null);
    }
}
