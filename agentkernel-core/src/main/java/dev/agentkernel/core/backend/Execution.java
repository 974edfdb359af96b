package dev.agentkernel.core.backend;

import dev.agentkernel.model.Termination;
import java.time.Duration;
import java.util.Optional;

/**
 * A command running in its own sandbox. Closing it kills whatever still runs and removes
 * every host resource of the sandbox (processes, cgroups, temporary files).
 */
public interface Execution extends AutoCloseable {

    /** A short identifier of the sandbox, unique on this host while it runs. */
    String id();

    /**
     * Waits until the command ends (or its timeout kills it) and all its output has been
     * delivered, then cleans up. Idempotent.
     */
    Termination await() throws InterruptedException;

    /** Like {@link #await()} but gives up after {@code wait}; empty if still running. */
    Optional<Termination> await(Duration wait) throws InterruptedException;

    /**
     * The command's standard input when it was started with {@link Stdio.Input.Pipe}; the
     * caller writes and closes it.
     */
    default Optional<java.io.OutputStream> stdinPipe() {
        return Optional.empty();
    }

    /**
     * The command's standard output when it was started with {@link Stdio.Output.Pipe}; the
     * caller must keep reading it until end of stream.
     */
    default Optional<java.io.InputStream> stdoutPipe() {
        return Optional.empty();
    }

    /** Whether the command still runs (cheap; never blocks). */
    default boolean isRunning() {
        try {
            return await(Duration.ZERO).isEmpty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** How many processes of the sandbox the kernel killed for running out of memory so far. */
    default long oomKills() {
        return 0;
    }

    /**
     * Freezes every process of the sandbox (its cgroup's freezer) and returns once all are
     * frozen: no CPU until {@link #resume()}, memory kept. Idempotent. {@link #kill()} and
     * {@link #close()} work on a paused sandbox.
     *
     * @throws dev.agentkernel.model.BackendUnavailableException if this backend or host cannot pause
     * @throws dev.agentkernel.model.SandboxFailureException if the freeze did not complete (undone then)
     */
    default void pause() {
        throw new dev.agentkernel.model.BackendUnavailableException("this isolation backend cannot pause a sandbox"
                + " (it has no cgroup to freeze); stop it instead, or use the bwrap, runc, crun or gvisor backend");
    }

    /** Thaws a paused sandbox; idempotent, and nothing happens to one that is not paused. */
    default void resume() {
    }

    /** Whether the sandbox is paused now. */
    default boolean isPaused() {
        return false;
    }

    /** CPU time the sandbox's processes used so far, in microseconds, when the host reports it. */
    default java.util.OptionalLong cpuUsageMicros() {
        return java.util.OptionalLong.empty();
    }

    /** Kills every process of the sandbox at once. The termination is then {@code Signaled(9)}. */
    void kill();

    /** Kills if running, waits for the end and removes everything. Never throws. */
    @Override
    void close();
}
