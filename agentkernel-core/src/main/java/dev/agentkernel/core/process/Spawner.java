package dev.agentkernel.core.process;

import dev.agentkernel.model.SandboxFailureException;
import java.io.IOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Starts host processes from one long-lived platform thread.
 *
 * <p>Sandboxes use {@code PR_SET_PDEATHSIG} (bubblewrap's {@code --die-with-parent}) so
 * that they die with AgentKernel. The kernel sends that signal when the <em>thread</em>
 * that forked the child exits, not the process; a virtual thread's carrier or a pooled
 * thread may retire at any time and would take its sandboxes with it. All spawns go
 * through this thread, which lives as long as the JVM.
 */
public final class Spawner {

    private static final ExecutorService THREAD = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "ak-spawner");
        t.setDaemon(true);
        return t;
    });

    private Spawner() {
    }

    /**
     * Starts {@code builder} on the spawner thread.
     *
     * @throws SandboxFailureException naming the program if it cannot be started
     */
    public static Process start(ProcessBuilder builder) {
        Future<Process> future = THREAD.submit(builder::start);
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            future.cancel(false);
            throw new SandboxFailureException("interrupted while starting " + builder.command().getFirst(), e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            String why = cause instanceof IOException io ? io.getMessage() : String.valueOf(cause);
            throw new SandboxFailureException("cannot start " + builder.command().getFirst() + ": " + why, cause);
        }
    }
}
