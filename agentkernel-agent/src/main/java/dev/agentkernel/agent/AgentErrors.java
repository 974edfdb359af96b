package dev.agentkernel.agent;

import dev.agentkernel.agent.AgentProtocol.Errno;
import dev.agentkernel.agent.AgentProtocol.Response;
import dev.agentkernel.model.AgentKernelException;
import dev.agentkernel.model.InvalidRequestException;
import dev.agentkernel.model.NotFoundException;
import dev.agentkernel.model.PermissionDeniedException;
import dev.agentkernel.model.ResourceExhaustedException;
import dev.agentkernel.model.SandboxFailureException;

/** Turns the agent's ERROR responses into the model's exceptions, with messages for a person. */
final class AgentErrors {
    /** How the agent's message for a failed chdir before exec begins (see ak-agent.c). */
    static final String CHDIR_FAILURE = "cannot enter working directory ";

    private AgentErrors() {
    }

    /** An error of a file operation on {@code path}. */
    static AgentKernelException forFile(Response.Error e, String path) {
        return switch (e.errno()) {
            case Errno.ENOENT -> new NotFoundException("no such file: " + path);
            case Errno.EISDIR -> new InvalidRequestException("is a directory: " + path);
            case Errno.ENOTDIR -> new InvalidRequestException("not a directory: a parent of " + path + " is a file");
            case Errno.EINVAL -> new InvalidRequestException(e.message());
            case Errno.EACCES, Errno.EPERM -> new PermissionDeniedException("permission denied: " + path
                    + " may not be accessed in this sandbox");
            case Errno.EROFS -> new PermissionDeniedException(path + " is on a read-only file system in this sandbox; "
                    + "write under /workspace or /tmp");
            case Errno.ENOSPC -> new ResourceExhaustedException("no space left in the sandbox to write " + path);
            default -> new SandboxFailureException(e.message());
        };
    }

    /** An error starting a command (the agent's message names the program or directory). */
    static AgentKernelException forExec(Response.Error e) {
        if (e.message().startsWith(CHDIR_FAILURE)) {
            // The agent's message for a working directory it could not enter: the caller's mistake.
            return new InvalidRequestException(e.message().replace(CHDIR_FAILURE, "working directory "));
        }
        return switch (e.errno()) {
            case Errno.ENOENT -> new NotFoundException(e.message());
            case Errno.EISDIR, Errno.ENOTDIR, Errno.EINVAL -> new InvalidRequestException(e.message());
            case Errno.EACCES, Errno.EPERM -> new PermissionDeniedException(e.message());
            default -> new SandboxFailureException(e.message());
        };
    }
}
