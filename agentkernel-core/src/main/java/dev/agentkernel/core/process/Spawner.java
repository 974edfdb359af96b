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
 *
 * <p>A child none of whose standard streams is a pipe to this process (inherited, a file,
 * {@code /dev/null}) starts through glibc's
 * {@code posix_spawnp} ({@link NativeProcess}: one vfork and one exec, where the JDK's
 * {@code ProcessBuilder.start} execs its {@code jspawnhelper} first; about 1 ms less per sandbox
 * start here), unless the libc lacks it or the system property {@code agentkernel.spawn} is
 * {@code jdk} (the CLI's one-shot commands: linking the calls costs a JVM that just started more
 * than it saves). Children with pipes keep the JDK's: its pipe streams let a virtual thread blocked
 * in a read or write give its carrier thread's place to another (an internal API), which
 * streams made here could not, and a sandbox's agent is read for as long as it lives.
 */
public final class Spawner {

    private static final ExecutorService THREAD = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "ak-spawner");
        t.setDaemon(true);
        return t;
    });

    /** The property first: with {@code jdk}, the libc calls are never linked (a fresh JVM pays for that). */
    private static final boolean NATIVE = !"jdk".equals(System.getProperty("agentkernel.spawn"))
            && PosixSpawn.available();

    private Spawner() {
    }

    /** Whether children without pipes start natively here (and so may start through a {@link ForkServer}). */
    static boolean startsNatively() {
        return NATIVE;
    }

    /**
     * Starts {@code builder} natively on the spawner thread (so that it dies with this JVM, see
     * above) with this process's descriptor {@code passed} as the child's descriptor 3: a
     * {@link ForkServer}'s server.
     */
    static Process startPassing(ProcessBuilder builder, int passed) throws IOException {
        Future<Process> future = THREAD.submit(() -> NativeProcess.start(builder, passed));
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            future.cancel(false);
            throw new IOException("interrupted while starting " + builder.command().getFirst(), e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(String.valueOf(e.getCause()), e.getCause());
        }
    }

    static boolean pipes(ProcessBuilder builder) {
        return builder.redirectInput().type() == ProcessBuilder.Redirect.Type.PIPE
                || builder.redirectOutput().type() == ProcessBuilder.Redirect.Type.PIPE
                || !builder.redirectErrorStream() && builder.redirectError().type() == ProcessBuilder.Redirect.Type.PIPE;
    }

    /**
     * Starts {@code builder} on the spawner thread.
     *
     * @throws SandboxFailureException naming the program if it cannot be started
     */
    public static Process start(ProcessBuilder builder) {
        boolean natively = NATIVE && !pipes(builder);
        Future<Process> future = THREAD.submit(() -> natively ? NativeProcess.start(builder) : builder.start());
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
