package dev.agentkernel.model;

/** A host-wide budget (concurrent sandboxes, sessions, memory) would be exceeded. */
public final class ResourceExhaustedException extends AgentKernelException {
    /** Creates the exception; the message names the budget and its current use. */
    public ResourceExhaustedException(String message) {
        super(message);
    }
}
