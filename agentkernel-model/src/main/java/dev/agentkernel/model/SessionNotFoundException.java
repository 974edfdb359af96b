package dev.agentkernel.model;

/** A code session id that names no live session (it never existed, was deleted, expired or was evicted). */
public final class SessionNotFoundException extends NotFoundException {
    /** Creates the exception; the message names the session and why it may be gone. */
    public SessionNotFoundException(String message) {
        super(message);
    }
}
