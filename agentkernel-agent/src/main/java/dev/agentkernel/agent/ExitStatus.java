package dev.agentkernel.agent;

/** How a command started through the agent ended. */
public sealed interface ExitStatus {

    /** The exit code a shell would report: the code, or 128 + the signal. */
    int exitCode();

    /**
     * The command exited by itself.
     *
     * @param code its exit code, 0 to 255
     */
    record Exited(int code) implements ExitStatus {
        @Override
        public int exitCode() {
            return code;
        }
    }

    /**
     * A signal ended the command (sent by itself, by {@link ExecHandle#signal}, or by the kernel).
     *
     * @param signal the signal number, e.g. 9 for SIGKILL
     */
    record Signaled(int signal) implements ExitStatus {
        @Override
        public int exitCode() {
            return 128 + signal;
        }
    }
}
