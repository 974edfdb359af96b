package dev.agentkernel.client;

/**
 * The code session does not exist (HTTP 404 with code {@code session_not_found}): it never
 * did, it was deleted, or the server removed it after it was idle for its
 * {@link SessionStats#sessionTimeout()}. Its state is gone; start a new session. A
 * {@link NotFoundException}, so code that handles those handles this too.
 */
public final class SessionNotFoundException extends NotFoundException {

    /** The envelope's code of this failure. */
    static final String CODE = "session_not_found";
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception, e.g. for a test double of a client.
     *
     * @param message the server's message, e.g. {@code session 'ses-1' not found}
     */
    public SessionNotFoundException(String message) {
        super(CODE, message);
    }
}
