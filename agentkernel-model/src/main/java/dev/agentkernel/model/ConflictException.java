package dev.agentkernel.model;

/** The request is valid but conflicts with the current state (e.g. exec on a stopped sandbox). */
public final class ConflictException extends AgentKernelException {
    /** Creates the exception; the message says what state blocks the request and how to change it. */
    public ConflictException(String message) {
        super(message);
    }
}
