package dev.agentkernel.client;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A background process of a persistent sandbox ({@link AgentKernel#execDetached}, {@link AgentKernel#detached}):
 * a command started detached, in its own process group, that runs until it ends, is killed
 * ({@link AgentKernel#killDetached}) or its sandbox stops. Values a server does not report are empty or 0.
 *
 * @param id        its id within the sandbox
 * @param sandbox   the sandbox
 * @param command   its argv
 * @param pid       its process id inside the sandbox
 * @param status    running, completed (exited with 0) or failed
 * @param exitCode  its exit code once ended (128 + the signal when a signal ended it)
 * @param signal    the signal that ended it, if one did
 * @param startedAt when it started
 * @param endedAt   when it ended
 * @param reason    how it ended when not by itself (killed on request, its sandbox stopped)
 */
public record BackgroundProcess(String id, String sandbox, List<String> command, long pid, Status status,
                                Optional<Integer> exitCode, Optional<Integer> signal, Optional<Instant> startedAt,
                                Optional<Instant> endedAt, Optional<String> reason) {

    /** Where a background process is in its life. */
    public enum Status {
        /** It runs. */
        RUNNING,
        /** It exited with 0. */
        COMPLETED,
        /** It exited with another code, was killed, or its sandbox stopped. */
        FAILED;

        /**
         * The wire name.
         *
         * @return e.g. {@code running}
         */
        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        static Optional<Status> fromId(String id) {
            for (Status s : values()) {
                if (s.id().equals(id)) {
                    return Optional.of(s);
                }
            }
            return Optional.empty();
        }
    }

    /** Checks for nulls and copies. */
    public BackgroundProcess {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(sandbox, "sandbox");
        command = List.copyOf(command);
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(exitCode, "exitCode");
        Objects.requireNonNull(signal, "signal");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(endedAt, "endedAt");
        Objects.requireNonNull(reason, "reason");
    }

    /**
     * Whether it still runs.
     *
     * @return true while it runs
     */
    public boolean running() {
        return status == Status.RUNNING;
    }
}
