package dev.agentkernel.cli;

import java.io.Closeable;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@code daemon start}: refuses when a daemon runs, starts {@code serve} in the background,
 * learns its address from the log, waits until {@code GET /health} answers and records it.
 */
final class DaemonStart {

    /** How many lines of the log a failed start shows. */
    static final int TAIL_LINES = 20;
    private static final Duration POLL = Duration.ofMillis(50);

    private final DaemonRegistry registry;
    private final List<String> command;
    private final Map<String, String> env;
    private final Duration wait;

    /**
     * Creates the action.
     *
     * @param registry the daemon's files
     * @param command  the full command line of the background {@code serve}
     * @param env      variables added to its environment
     * @param wait     how long it may take to answer {@code GET /health}
     */
    DaemonStart(DaemonRegistry registry, List<String> command, Map<String, String> env, Duration wait) {
        this.registry = registry;
        this.command = List.copyOf(command);
        this.env = Map.copyOf(env);
        this.wait = wait;
    }

    int run(PrintWriter out, PrintWriter err) throws IOException, InterruptedException {
        DaemonFiles files = registry.files();
        try (Closeable lock = files.lock()) {
            Optional<DaemonRegistry.Running> running = registry.find();
            if (running.isPresent()) {
                err.println("agentkernel: error: a daemon is already running (pid " + running.get().pid() + ")"
                        + running.get().info().map(i -> " on " + i.address().url()).orElse("")
                        + "; stop it with 'agentkernel daemon stop'");
                return ExitCodes.FAILURE;
            }
            DaemonLog log = new DaemonLog(files.logFile());
            log.rotateIfLarge();
            log.append("agentkernel: daemon starting at " + Instant.now() + ": "
                    + String.join(" ", command.subList(command.indexOf(DaemonProcesses.MAIN_CLASS) + 1, command.size())));
            long offset = log.size();
            Process process = DaemonLauncher.start(command, log, env);
            // Until it answers, an interrupted start (Ctrl-C) takes the half-started daemon with it.
            Thread abort = new Thread(() -> abandon(process, files), "ak-daemon-start-abort");
            Runtime.getRuntime().addShutdownHook(abort);
            try {
                files.writePid(process.pid());
                return awaitReady(process, log, offset, out, err);
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(abort);
                } catch (IllegalStateException e) {
                    // already shutting down: the hook does its work
                }
            }
        }
    }

    private int awaitReady(Process process, DaemonLog log, long offset, PrintWriter out, PrintWriter err)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        Optional<DaemonAddress> address = Optional.empty();
        DaemonHttp http = null;
        Progress progress = Progress.show(err, "starting the daemon (pid " + process.pid() + ")");
        try {
            while (true) {
                if (!process.isAlive()) {
                    progress.close();
                    int code = process.exitValue();
                    registry.files().remove();
                    failure(err, "the daemon exited with code " + code + " while starting", log, offset);
                    return code > 0 && code < 256 ? code : ExitCodes.FAILURE;
                }
                if (address.isEmpty()) {
                    address = DaemonAddress.findIn(log.readFrom(offset));
                    if (address.isPresent()) {
                        http = new DaemonHttp(address.get().url(), Optional.empty(), Duration.ofSeconds(2));
                    }
                }
                if (http != null && http.healthy()) {
                    Instant started = process.info().startInstant().orElse(Instant.now());
                    DaemonInfo info = new DaemonInfo(process.pid(), address.get(), started, log.path().toAbsolutePath().toString());
                    registry.files().writeInfo(info);
                    progress.close();
                    out.println("agentkernel: daemon started (pid " + process.pid() + ") on " + address.get().url()
                            + "; log: " + info.log());
                    return 0;
                }
                if (System.nanoTime() - deadline > 0) {
                    progress.close();
                    abandon(process, registry.files());
                    failure(err, "the daemon did not answer " + address.map(a -> "on " + a.url() + " ").orElse("")
                            + "within " + wait.toSeconds() + " s and was stopped", log, offset);
                    return ExitCodes.FAILURE;
                }
                progress.detail(address.isEmpty() ? "" : "listening on " + address.get().url());
                Thread.sleep(POLL);
            }
        } finally {
            progress.close();
            if (http != null) {
                http.close();
            }
        }
    }

    private static void failure(PrintWriter err, String what, DaemonLog log, long offset) throws IOException {
        List<String> tail = DaemonLog.lastLines(log.readFrom(offset), TAIL_LINES);
        if (tail.isEmpty()) {
            err.println("agentkernel: error: " + what + "; " + log.path() + " says nothing more");
            return;
        }
        err.println("agentkernel: error: " + what + "; the end of " + log.path() + ":");
        tail.forEach(line -> err.println("  " + line));
    }

    /** Stops a daemon that did not get ready (SIGTERM, then SIGKILL to it and its children) and removes its files. */
    private static void abandon(Process process, DaemonFiles files) {
        if (process.isAlive()) {
            List<ProcessHandle> children = process.descendants().toList();
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    children.forEach(ProcessHandle::destroyForcibly);
                    process.waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
        try {
            files.remove();
        } catch (IOException e) {
            // best effort: a stale pid file is recognised and removed later
        }
    }
}
