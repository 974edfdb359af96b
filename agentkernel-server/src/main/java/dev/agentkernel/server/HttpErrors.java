package dev.agentkernel.server;

import dev.agentkernel.model.AgentKernelException;
import dev.agentkernel.model.BackendUnavailableException;
import dev.agentkernel.model.CodeExecutionException;
import dev.agentkernel.model.ConflictException;
import dev.agentkernel.model.InvalidRequestException;
import dev.agentkernel.model.NotFoundException;
import dev.agentkernel.model.PermissionDeniedException;
import dev.agentkernel.model.ResourceExhaustedException;
import dev.agentkernel.model.SandboxFailureException;
import dev.agentkernel.model.SessionNotFoundException;

/** The one place that maps errors to HTTP statuses. Package-private. */
final class HttpErrors {
    private HttpErrors() {
    }

    static int status(Throwable e) {
        if (e instanceof AgentKernelException ak) {
            return switch (ak) {
                case InvalidRequestException x -> 400;
                case NotFoundException x -> 404;
                case CodeExecutionException x -> 500;
                case ConflictException x -> 409;
                case PermissionDeniedException x -> 403;
                case ResourceExhaustedException x -> 429;
                case BackendUnavailableException x -> 503;
                case SandboxFailureException x -> 500;
                default -> 500;
            };
        }
        if (e instanceof PayloadTooLargeException) {
            return 413;
        }
        if (e instanceof MalformedBodyException) {
            return 400;
        }
        if (isShutdown(e)) {
            return 503;
        }
        return 500;
    }

    /** An interruption: the server is stopping and the request's work was cut short. */
    static boolean isShutdown(Throwable e) {
        return e instanceof InterruptedException || e.getCause() instanceof InterruptedException;
    }

    /**
     * The stable machine-readable kind of an error: {@code invalid_request}, {@code not_found},
     * {@code conflict}, {@code permission_denied}, {@code resource_exhausted},
     * {@code backend_unavailable}, {@code sandbox_failure}, {@code session_not_found},
     * {@code code_execution_failed}, {@code payload_too_large},
     * {@code shutting_down} or {@code internal}; refusals before any route ({@link RequestGuard},
     * {@link DirectErrors}) add {@code unauthorized}, {@code host_not_allowed},
     * {@code origin_not_allowed}, {@code unsupported_media_type}, {@code not_implemented} and
     * {@code http_version_not_supported}.
     */
    static String code(Throwable e) {
        if (e instanceof AgentKernelException ak) {
            return switch (ak) {
                case InvalidRequestException x -> "invalid_request";
                case SessionNotFoundException x -> "session_not_found";
                case NotFoundException x -> "not_found";
                case CodeExecutionException x -> "code_execution_failed";
                case ConflictException x -> "conflict";
                case PermissionDeniedException x -> "permission_denied";
                case ResourceExhaustedException x -> "resource_exhausted";
                case BackendUnavailableException x -> "backend_unavailable";
                case SandboxFailureException x -> "sandbox_failure";
                default -> "internal";
            };
        }
        if (e instanceof PayloadTooLargeException) {
            return "payload_too_large";
        }
        if (e instanceof MalformedBodyException) {
            return "invalid_request";
        }
        return isShutdown(e) ? "shutting_down" : "internal";
    }

    static String message(Throwable e) {
        if (e instanceof AgentKernelException || e instanceof PayloadTooLargeException || e instanceof MalformedBodyException) {
            return e.getMessage();
        }
        if (isShutdown(e)) {
            return "the server is shutting down; the command was stopped";
        }
        return "internal error; the server log has the details";
    }

    /** A request body over the configured limit. */
    static final class PayloadTooLargeException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        PayloadTooLargeException(long limit) {
            super("request body is larger than the limit of " + limit + " bytes");
        }

        PayloadTooLargeException(String message) {
            super(message);
        }
    }

    /**
     * A request body that cannot be read to its end (truncated, a bad chunk size): the connection
     * cannot carry another request, so the answer closes it.
     */
    static final class MalformedBodyException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        MalformedBodyException(String message) {
            super(message);
        }
    }
}
