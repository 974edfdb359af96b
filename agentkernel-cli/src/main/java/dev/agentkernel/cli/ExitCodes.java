package dev.agentkernel.cli;

import dev.agentkernel.model.AgentKernelException;
import dev.agentkernel.model.BackendUnavailableException;
import dev.agentkernel.model.ConflictException;
import dev.agentkernel.model.InvalidRequestException;
import dev.agentkernel.model.NotFoundException;
import dev.agentkernel.model.ResourceExhaustedException;
import dev.agentkernel.model.SandboxFailureException;
import picocli.CommandLine;

/**
 * The one place that turns errors into exit codes and one-line messages.
 *
 * <ul>
 *   <li>2: bad usage or invalid input</li>
 *   <li>3: no isolation backend can run here</li>
 *   <li>4: not found; 5: conflicts with current state; 6: a host budget is exhausted</li>
 *   <li>124: the command timed out; 137: out of memory (or killed); 125: the sandbox failed</li>
 * </ul>
 */
final class ExitCodes {

    static final int USAGE = 2;
    static final int BACKEND_UNAVAILABLE = 3;
    static final int NOT_FOUND = 4;
    static final int CONFLICT = 5;
    static final int EXHAUSTED = 6;
    static final int SANDBOX_FAILURE = 125;
    static final int INTERNAL = 70;

    private ExitCodes() {
    }

    static int of(AgentKernelException e) {
        return switch (e) {
            case InvalidRequestException x -> USAGE;
            case BackendUnavailableException x -> BACKEND_UNAVAILABLE;
            case NotFoundException x -> NOT_FOUND;
            case ConflictException x -> CONFLICT;
            case ResourceExhaustedException x -> EXHAUSTED;
            case SandboxFailureException x -> SANDBOX_FAILURE;
            default -> INTERNAL;
        };
    }

    static int handleExecutionException(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
        if (e instanceof AgentKernelException ak) {
            cli.getErr().println("agentkernel: error: " + ak.getMessage());
            return of(ak);
        }
        cli.getErr().println("agentkernel: internal error: " + e
                + " (please report it; run with -v for details)");
        if (Boolean.getBoolean("agentkernel.debug")) {
            e.printStackTrace(cli.getErr());
        }
        return INTERNAL;
    }

    static int handleParameterException(CommandLine.ParameterException e, String[] args) {
        CommandLine cli = e.getCommandLine();
        cli.getErr().println("agentkernel: error: " + e.getMessage());
        cli.getErr().println("try '" + cli.getCommandSpec().qualifiedName() + " --help'");
        return USAGE;
    }
}
