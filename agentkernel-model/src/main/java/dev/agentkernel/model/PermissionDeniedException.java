package dev.agentkernel.model;

/**
 * The sandbox's policy forbids the request (a read-only path, a file the sandbox may not
 * touch). Not a failure of AgentKernel: the caller asked for something not allowed.
 */
public final class PermissionDeniedException extends AgentKernelException {
    /** Creates the exception; the message names what was refused and why. */
    public PermissionDeniedException(String message) {
        super(message);
    }
}
