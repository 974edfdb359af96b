package dev.agentkernel.model;

/** A named thing (sandbox, session, task, file) does not exist. */
public sealed class NotFoundException extends AgentKernelException permits SessionNotFoundException {
    /** Creates the exception; the message names what was not found. */
    public NotFoundException(String message) {
        super(message);
    }
}
