package dev.agentkernel.model;

/**
 * Code could not be executed at all: the session's interpreter cannot be started or restarted
 * (for example the interpreter is not installed). Code that runs and raises is not this: its
 * error is part of a normal result.
 */
public final class CodeExecutionException extends AgentKernelException {
    /** Creates the exception with a person-readable message. */
    public CodeExecutionException(String message) {
        super(message);
    }

    /** Creates the exception with a person-readable message and its cause. */
    public CodeExecutionException(String message, Throwable cause) {
        super(message, cause);
    }
}
