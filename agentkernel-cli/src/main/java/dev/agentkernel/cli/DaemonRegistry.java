package dev.agentkernel.cli;

import java.io.IOException;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.LongPredicate;

/**
 * Finds the running daemon from its files, and removes the files of one that no longer runs
 * (a stale pid file: the process exited, or the pid now belongs to something else).
 */
final class DaemonRegistry {

    /**
     * A daemon whose pid file names a live daemon process.
     *
     * @param pid  its process id
     * @param info where it listens; empty while it is still starting (or its {@code daemon.json} is unreadable)
     */
    record Running(long pid, Optional<DaemonInfo> info) {
    }

    private final DaemonFiles files;
    private final LongPredicate isDaemon;

    /** Checks liveness with {@link DaemonProcesses#isDaemon}. */
    DaemonRegistry(DaemonFiles files) {
        this(files, DaemonProcesses::isDaemon);
    }

    /** Checks liveness with {@code isDaemon} (tests). */
    DaemonRegistry(DaemonFiles files, LongPredicate isDaemon) {
        this.files = files;
        this.isDaemon = isDaemon;
    }

    DaemonFiles files() {
        return files;
    }

    /** The running daemon, if any; stale or unreadable files are removed on the way. */
    Optional<Running> find() throws IOException {
        OptionalLong pid = files.readPid();
        if (pid.isEmpty() || !isDaemon.test(pid.getAsLong())) {
            files.remove();
            return Optional.empty();
        }
        Optional<DaemonInfo> info = files.readInfo().filter(i -> i.pid() == pid.getAsLong());
        return Optional.of(new Running(pid.getAsLong(), info));
    }
}
