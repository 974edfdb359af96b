package dev.agentkernel.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * {@code daemon stop}: SIGTERM (the server stops accepting and lets running commands finish),
 * SIGKILL to it and its children after the timeout, then the pid file goes. Stopping a
 * daemon that does not run is not an error.
 */
final class DaemonStop {

    private static final Duration POLL = Duration.ofMillis(50);
    private static final Duration AFTER_KILL = Duration.ofSeconds(5);

    private final DaemonRegistry registry;
    private final Duration timeout;

    /**
     * Creates the action.
     *
     * @param registry the daemon's files
     * @param timeout  how long it may take to shut down gracefully
     */
    DaemonStop(DaemonRegistry registry, Duration timeout) {
        this.registry = registry;
        this.timeout = timeout;
    }

    int run(PrintWriter out, PrintWriter err) throws IOException, InterruptedException {
        Optional<DaemonRegistry.Running> running = registry.find();
        if (running.isEmpty()) {
            out.println("agentkernel: daemon is not running");
            return 0;
        }
        long pid = running.get().pid();
        // The handle knows the process's start time: waiting on it and signalling it cannot hit a reused pid.
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isEmpty()) {
            registry.files().remove();
            out.println("agentkernel: daemon stopped (pid " + pid + ")");
            return 0;
        }
        ProcessHandle daemon = handle.get();
        daemon.destroy();
        if (awaitExit(daemon, timeout)) {
            registry.files().remove();
            out.println("agentkernel: daemon stopped (pid " + pid + ")");
            return 0;
        }
        List<ProcessHandle> children = daemon.descendants().toList();
        daemon.destroyForcibly();
        children.forEach(ProcessHandle::destroyForcibly);
        if (awaitExit(daemon, AFTER_KILL)) {
            registry.files().remove();
            out.println("agentkernel: daemon did not stop within " + seconds(timeout) + " s; killed it (pid " + pid + ")");
            return 0;
        }
        err.println("agentkernel: error: cannot stop the daemon (pid " + pid + "): it survived SIGKILL");
        return ExitCodes.FAILURE;
    }

    /** Whether the process ended (a zombie counts as ended) within {@code limit}. */
    private static boolean awaitExit(ProcessHandle process, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (process.isAlive()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(POLL);
        }
        return true;
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? Long.toString(d.toSeconds()) : Double.toString(d.toMillis() / 1000.0);
    }
}
