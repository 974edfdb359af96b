package dev.agentkernel.core.session;

import java.util.OptionalInt;

/**
 * The interpreter driver of a stateful session is gone (it exited, for example through
 * {@code os._exit(3)}, {@code process.exit(3)} or {@code exit 3} in bash, was killed, or stopped
 * answering): the session's state is lost and the connection cannot be used any more.
 */
public final class InterpreterDiedException extends RuntimeException {

    private final transient Integer exitStatus;
    private final boolean unresponsive;

    /** Creates the exception; {@code exitStatus} is {@code null} when unknown. */
    public InterpreterDiedException(String message, Integer exitStatus) {
        this(message, exitStatus, false);
    }

    /**
     * Creates the exception; {@code exitStatus} is {@code null} when unknown; {@code unresponsive}
     * when the driver still ran but did not answer past its timeout, even after SIGINT.
     */
    public InterpreterDiedException(String message, Integer exitStatus, boolean unresponsive) {
        super(message);
        this.exitStatus = exitStatus;
        this.unresponsive = unresponsive;
    }

    /** Creates the exception with a cause and an unknown exit status. */
    public InterpreterDiedException(String message, Throwable cause) {
        super(message, cause);
        this.exitStatus = null;
        this.unresponsive = false;
    }

    /** Whether the driver was given up because it did not answer past its timeout (it may still run). */
    public boolean unresponsive() {
        return unresponsive;
    }

    /** The driver process's exit status, when known. */
    public OptionalInt exitStatus() {
        return exitStatus == null ? OptionalInt.empty() : OptionalInt.of(exitStatus);
    }
}
