package dev.agentkernel.cli;

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
import java.io.PrintWriter;
import org.apache.commons.cli.AlreadySelectedException;
import org.apache.commons.cli.MissingArgumentException;
import org.apache.commons.cli.ParseException;
import org.apache.commons.cli.UnrecognizedOptionException;

/**
 * The one place that turns errors into exit codes and one-line messages.
 *
 * <ul>
 *   <li>1: {@code daemon start} refused (a daemon already runs) or its daemon failed to start;
 *       {@code daemon stop} could not stop it</li>
 *   <li>2: bad usage or invalid input</li>
 *   <li>3: no isolation backend can run here</li>
 *   <li>4: not found; 5: conflicts with current state; 6: a host budget is exhausted; 7: the sandbox's policy forbids it</li>
 *   <li>124: the command timed out; 137: out of memory; 125: the sandbox itself failed</li>
 *   <li>70: an internal error (a bug)</li>
 *   <li>69: no AgentKernel daemon answers (commands that need one: create, start, stop, remove, list,
 *       exec, attach, cp, code, repl, sessions, task, tools, audit, status), or the connection to it broke</li>
 *   <li>77: the daemon refused the API key ({@code AGENTKERNEL_API_KEY})</li>
 *   <li>{@code exec} and {@code attach}: the command's own exit code</li>
 *   <li>{@code code}: 1 when the code raised, timed out or ended its interpreter
 *       ({@link CodeCommand#CODE_FAILED})</li>
 *   <li>{@code task wait} and {@code task dispatch --wait} ({@link #ofTask}): 0 the task completed, 1 it failed,
 *       124 it timed out, 130 it was cancelled, 75 it still runs when the wait ended (sysexits' EX_TEMPFAIL:
 *       try again); {@code task cancel}: 5 when the task had already ended</li>
 *   <li>{@code daemon status} (like LSB status): 0 runs and answers, 3 does not run, 4 runs but does not answer</li>
 * </ul>
 *
 * <p>A daemon's answers map as the SDK's exceptions do: 400/413 is 2, 403 is 7, 404 (also a code
 * session not found) is 4, 409 is 5, 429 (too many sandboxes or code sessions, memory budget) is 6,
 * 500 (the sandbox, an interpreter or the daemon failed) is 125, 502 (an image could not be pulled) is 8,
 * 503 (no backend, shutting down) is 3,
 * anything else 70.
 */
final class ExitCodes {

    static final int FAILURE = 1;
    static final int USAGE = 2;
    static final int BACKEND_UNAVAILABLE = 3;
    static final int NOT_FOUND = 4;
    static final int CONFLICT = 5;
    static final int EXHAUSTED = 6;
    static final int PERMISSION_DENIED = 7;
    /** An image could not be pulled or stored. */
    static final int IMAGE_UNAVAILABLE = 8;
    static final int SANDBOX_FAILURE = 125;
    static final int INTERNAL = 70;
    static final int NOT_RUNNING = 3;
    static final int NOT_ANSWERING = 4;
    /** No daemon answers, or the connection to it broke (sysexits' EX_UNAVAILABLE). */
    static final int NO_DAEMON = 69;
    /** The daemon refused the API key (sysexits' EX_NOPERM). */
    static final int AUTHENTICATION = 77;
    /** A task still runs when the wait for it ended (sysexits' EX_TEMPFAIL: try again). */
    static final int STILL_RUNNING = 75;
    /** A command or task ran past its timeout (as coreutils' {@code timeout}). */
    static final int TIMED_OUT = 124;
    /** A task was cancelled (as a program ended by SIGINT). */
    static final int CANCELLED = 130;

    private ExitCodes() {
    }

    static int of(AgentKernelException e) {
        return switch (e) {
            case InvalidRequestException x -> USAGE;
            case BackendUnavailableException x -> BACKEND_UNAVAILABLE;
            case NotFoundException x -> NOT_FOUND;
            case ConflictException x -> CONFLICT;
            case ResourceExhaustedException x -> EXHAUSTED;
            case PermissionDeniedException x -> PERMISSION_DENIED;
            case SandboxFailureException x -> SANDBOX_FAILURE;
            case CodeExecutionException x -> INTERNAL;
            case ImageUnavailableException x -> IMAGE_UNAVAILABLE;
        };
    }

    /** The exit code of a daemon's answer, as the SDK reports it. */
    static int of(dev.agentkernel.client.AgentKernelException e) {
        return switch (e) {
            case dev.agentkernel.client.ValidationException x -> USAGE;
            case dev.agentkernel.client.AuthenticationException x -> AUTHENTICATION;
            case dev.agentkernel.client.PermissionDeniedException x -> PERMISSION_DENIED;
            case dev.agentkernel.client.NotFoundException x -> NOT_FOUND;
            case dev.agentkernel.client.ConflictException x -> CONFLICT;
            case dev.agentkernel.client.ConnectionException x -> NO_DAEMON;
            case dev.agentkernel.client.ResourceLimitException x -> EXHAUSTED;
            case dev.agentkernel.client.ServerException x -> switch (x.status()) {
                case 500 -> SANDBOX_FAILURE;
                case 502 -> IMAGE_UNAVAILABLE;
                case 503 -> BACKEND_UNAVAILABLE;
                default -> INTERNAL;
            };
        };
    }

    /** The exit code of a task's status after a wait: how {@code task wait} ends. */
    static int ofTask(dev.agentkernel.client.TaskStatus status) {
        return switch (status) {
            case COMPLETED -> 0;
            case FAILED -> FAILURE;
            case TIMEOUT -> TIMED_OUT;
            case CANCELLED -> CANCELLED;
            case RUNNING -> STILL_RUNNING;
        };
    }

    /** Prints one line for {@code e} and returns its exit code. */
    static int report(Throwable e, PrintWriter err) {
        if (e instanceof AgentKernelException ak) {
            err.println("agentkernel: error: " + ak.getMessage());
            return of(ak);
        }
        if (e instanceof DaemonUnavailableException d) {
            err.println("agentkernel: error: " + d.getMessage());
            return NO_DAEMON;
        }
        if (e instanceof dev.agentkernel.client.AuthenticationException a) {
            err.println("agentkernel: error: " + a.getMessage() + (System.getenv("AGENTKERNEL_API_KEY") == null
                    ? " (set AGENTKERNEL_API_KEY to the daemon's key)" : " (check AGENTKERNEL_API_KEY)"));
            return AUTHENTICATION;
        }
        if (e instanceof dev.agentkernel.client.AgentKernelException ak) {
            err.println("agentkernel: error: " + oneLine(ak.getMessage()));
            return of(ak);
        }
        if (e instanceof OutOfMemoryError) {
            err.println("agentkernel: error: agentkernel itself ran out of memory");
            return INTERNAL;
        }
        err.println("agentkernel: internal error: " + e + " (please report it; set -Dagentkernel.debug=true for details)");
        if (Boolean.getBoolean("agentkernel.debug")) {
            e.printStackTrace(err);
        }
        return INTERNAL;
    }

    private static String oneLine(String message) {
        return message == null ? "" : message.strip().replaceAll("\\s*\\R\\s*", " ");
    }

    /** A parse error in words. */
    static String describe(ParseException e) {
        return switch (e) {
            case UnrecognizedOptionException u -> "unknown option '" + u.getOption() + "'";
            case MissingArgumentException m -> "option " + name(m.getOption()) + " needs a value ("
                    + (m.getOption().getArgName() == null ? "VALUE" : m.getOption().getArgName()) + ")";
            case AlreadySelectedException a -> a.getMessage();
            default -> e.getMessage();
        };
    }

    private static String name(org.apache.commons.cli.Option option) {
        return option.getLongOpt() != null ? "--" + option.getLongOpt() : "-" + option.getOpt();
    }
}
