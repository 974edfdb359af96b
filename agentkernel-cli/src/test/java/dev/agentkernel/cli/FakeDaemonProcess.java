package dev.agentkernel.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A shell whose command line looks like a daemon's ({@code ... dev.agentkernel.cli.Main serve}):
 * a live process for liveness and stop tests that needs neither root nor bubblewrap.
 */
final class FakeDaemonProcess implements AutoCloseable {

    final Process process;

    private FakeDaemonProcess(Process process) {
        this.process = process;
    }

    /** A fake daemon that exits on SIGTERM. */
    static FakeDaemonProcess start() throws IOException, InterruptedException {
        return start("sleep 60; :");
    }

    /** A fake daemon that ignores SIGTERM, like a server that does not finish shutting down. */
    static FakeDaemonProcess ignoringSigterm() throws IOException, InterruptedException {
        return start("trap '' TERM; sleep 60; :");
    }

    private static FakeDaemonProcess start(String script) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of("sh", "-c", script, DaemonProcesses.MAIN_CLASS, "serve"));
        FakeDaemonProcess fake = new FakeDaemonProcess(new ProcessBuilder(argv).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
        // once its child runs, the shell has set its traps
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (fake.process.children().findAny().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        return fake;
    }

    long pid() {
        return process.pid();
    }

    @Override
    public void close() throws InterruptedException {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroyForcibly();
        children.forEach(ProcessHandle::destroyForcibly);
        process.waitFor(5, TimeUnit.SECONDS);
    }
}
