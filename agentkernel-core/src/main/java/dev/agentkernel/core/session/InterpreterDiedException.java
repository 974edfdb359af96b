package dev.agentkernel.core.session;

import java.util.OptionalInt;

/**
 * The interpreter driver of a stateful session is gone (it exited, for example through
 * {@code os._exit(3)}, {@code process.exit(3)} or {@code exit 3} in bash, was killed, or stopped
 * answering): the session's state is lost and the connection cannot be used any more.
 */
public final class InterpreterDiedException extends RuntimeException {

    private final transient Integer exitStatus;

    /** Creates the exception; {@code exitStatus} is {@code null} when unknown. */
    public InterpreterDiedException(String message, Integer exitStatus) {
        super(message);
        this.exitStatus = exitStatus;
    }

    /** Creates the exception with a cause and an unknown exit status. */
    public InterpreterDiedException(String message, Throwable cause) {
        super(message, cause);
        this.exitStatus = null;
    }

    /** The driver process's exit status, when known. */
    public OptionalInt exitStatus() {
        return exitStatus == null ? OptionalInt.empty() : OptionalInt.of(exitStatus);
    }
}
