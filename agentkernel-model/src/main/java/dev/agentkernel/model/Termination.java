package dev.agentkernel.model;

import java.time.Duration;

/** How a command in a sandbox ended. {@link #exitCode()} is what a CLI should exit with. */
public sealed interface Termination {

    /** The exit code a shell would report: the code, 128+signal, 124 on timeout, 137 on OOM. */
    int exitCode();

    /** A person-readable one-line description, or empty for a normal exit. */
    String describe();

    /** The command exited by itself. */
    record Exited(int code) implements Termination {
        @Override
        public int exitCode() {
            return code;
        }

        @Override
        public String describe() {
            return "";
        }
    }

    /**
     * AgentKernel killed the sandbox on request ({@code Execution.kill()}). A command that dies
     * of a signal by itself is {@link Exited} with 128 + the signal number, as a shell reports it.
     */
    record Signaled(int signal) implements Termination {
        @Override
        public int exitCode() {
            return 128 + signal;
        }

        @Override
        public String describe() {
            return "killed by signal " + signal;
        }
    }

    /** The wall-clock timeout ran out and the whole sandbox was killed. */
    record TimedOut(Duration limit) implements Termination {
        @Override
        public int exitCode() {
            return 124;
        }

        @Override
        public String describe() {
            return "timed out after " + formatSeconds(limit) + "; every process in the sandbox was killed";
        }
    }

    /** The kernel killed a process of the sandbox for exceeding its memory limit. */
    record OutOfMemory(long limitMb) implements Termination {
        @Override
        public int exitCode() {
            return 137;
        }

        @Override
        public String describe() {
            return "killed: out of memory (limit " + limitMb + " MB; raise it with --memory)";
        }
    }

    private static String formatSeconds(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + " s" : String.format(java.util.Locale.ROOT, "%.1f s", ms / 1000.0);
    }
}
