package dev.agentkernel.model;

/**
 * Root of every error AgentKernel reports. Each subtype is mapped to one CLI exit code,
 * one HTTP status and one MCP error in exactly one place per interface. Messages are
 * written for a person: they say what was wrong and, where possible, how to fix it.
 */
public abstract sealed class AgentKernelException extends RuntimeException
        permits InvalidRequestException, BackendUnavailableException, SandboxFailureException,
                NotFoundException, ConflictException, ResourceExhaustedException, PermissionDeniedException,
                CodeExecutionException, ImageUnavailableException {

    /** Creates an exception with a person-readable message. */
    public AgentKernelException(String message) {
        super(message);
    }

    /** Creates an exception with a person-readable message and its cause. */
    public AgentKernelException(String message, Throwable cause) {
        super(message, cause);
    }
}
