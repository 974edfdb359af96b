package dev.agentkernel.model;

/** The sandbox itself could not be set up or supervised (not the user's command failing). */
public final class SandboxFailureException extends AgentKernelException {
    /** Creates the exception with a person-readable message. */
    public SandboxFailureException(String message) {
        super(message);
    }

    /** Creates the exception with a person-readable message and its cause. */
    public SandboxFailureException(String message, Throwable cause) {
        super(message, cause);
    }
}
