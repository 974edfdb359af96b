package dev.agentkernel.core.wire;

import dev.agentkernel.api.BadRequestException;
import dev.agentkernel.api.ErrorCode;
import dev.agentkernel.model.AgentKernelException;
import dev.agentkernel.model.BackendUnavailableException;
import dev.agentkernel.model.CodeExecutionException;
import dev.agentkernel.model.ConflictException;
import dev.agentkernel.model.ImageUnavailableException;
import dev.agentkernel.model.InvalidRequestException;
import dev.agentkernel.model.NotFoundException;
import dev.agentkernel.model.PermissionDeniedException;
import dev.agentkernel.model.ResourceExhaustedException;
import dev.agentkernel.model.SandboxFailureException;
import dev.agentkernel.model.SessionNotFoundException;

/**
 * The one mapping from an error to the wire's {@link ErrorCode} (whose {@link ErrorCode#status()}
 * is the HTTP status), for the HTTP routes and the MCP tools alike. The switch over the sealed
 * exception hierarchy has no {@code default}: a new exception type does not compile until it is
 * given a code here.
 */
public final class ErrorCodes {

    private ErrorCodes() {
    }

    /** The code of one of AgentKernel's own errors. */
    public static ErrorCode of(AgentKernelException e) {
        return switch (e) {
            case InvalidRequestException x -> ErrorCode.INVALID_REQUEST;
            case SessionNotFoundException x -> ErrorCode.SESSION_NOT_FOUND;
            case NotFoundException x -> ErrorCode.NOT_FOUND;
            case CodeExecutionException x -> ErrorCode.CODE_EXECUTION_FAILED;
            case ConflictException x -> ErrorCode.CONFLICT;
            case PermissionDeniedException x -> ErrorCode.PERMISSION_DENIED;
            case ResourceExhaustedException x -> ErrorCode.RESOURCE_EXHAUSTED;
            case BackendUnavailableException x -> ErrorCode.BACKEND_UNAVAILABLE;
            case SandboxFailureException x -> ErrorCode.SANDBOX_FAILURE;
            case ImageUnavailableException x -> ErrorCode.IMAGE_UNAVAILABLE;
        };
    }

    /**
     * The code of any error: AgentKernel's own, a request that breaks the contract
     * ({@link BadRequestException}), an interruption ({@link ErrorCode#SHUTTING_DOWN}), else
     * {@link ErrorCode#INTERNAL}.
     */
    public static ErrorCode of(Throwable e) {
        if (e instanceof AgentKernelException ak) {
            return of(ak);
        }
        if (e instanceof BadRequestException bad) {
            return bad.code();
        }
        return isShutdown(e) ? ErrorCode.SHUTTING_DOWN : ErrorCode.INTERNAL;
    }

    /** Whether its message is written for the caller (ours), rather than an internal failure's. */
    public static boolean hasCallerMessage(Throwable e) {
        return e instanceof AgentKernelException || e instanceof BadRequestException;
    }

    /** An interruption: the server is stopping and the work was cut short. */
    public static boolean isShutdown(Throwable e) {
        return e instanceof InterruptedException || e.getCause() instanceof InterruptedException;
    }
}
