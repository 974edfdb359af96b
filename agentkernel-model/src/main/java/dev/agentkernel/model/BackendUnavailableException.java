package dev.agentkernel.model;

/** No isolation backend (or not the one requested) can run on this host; the message lists why. */
public final class BackendUnavailableException extends AgentKernelException {
    /** Creates the exception; the message says which backends were tried and how to fix each. */
    public BackendUnavailableException(String message) {
        super(message);
    }
}
