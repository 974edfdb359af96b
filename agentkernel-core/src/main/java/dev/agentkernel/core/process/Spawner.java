package dev.agentkernel.core.process;

import dev.agentkernel.model.SandboxFailureException;
import java.io.IOException;
import java.util.concurrent.Callable;
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
        try {
            return onThread(() -> NativeProcess.start(builder, passed));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting " + builder.command().getFirst(), e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(String.valueOf(e.getCause()), e.getCause());
        }
    }

    /** Runs {@code start} on the spawner thread and waits for it (an interrupted wait cancels it if it has not run). */
    private static Process onThread(Callable<Process> start) throws InterruptedException, ExecutionException {
        Future<Process> future = THREAD.submit(start);
        try {
            return future.get();
        } catch (InterruptedException e) {
            future.cancel(false);
            throw e;
        }
    }

    private static boolean pipes(ProcessBuilder builder) {
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
        try {
            return onThread(() -> natively ? NativeProcess.start(builder) : builder.start());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandboxFailureException("interrupted while starting " + builder.command().getFirst(), e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            String why = cause instanceof IOException io ? io.getMessage() : String.valueOf(cause);
            throw new SandboxFailureException("cannot start " + builder.command().getFirst() + ": " + why, cause);
        }
    }
}
