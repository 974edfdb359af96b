package dev.agentkernel.core.cgroup;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The control group(s) of one sandbox. A process joins by writing its pid to every file of
 * {@link #procsFiles()}; its children then inherit membership. Closing kills whatever is
 * left and removes the group.
 */
public interface SandboxCgroup extends AutoCloseable {

    /** The group's name. */
    String name();

    /** Files to write a pid into to put that process in the sandbox's group(s). */
    List<Path> procsFiles();

    /** Every process currently in the group. */
    List<Long> pids();

    /** Whether the kernel OOM-killed a process of this group. */
    boolean oomKilled();

    /** How many processes of this group the kernel OOM-killed so far. */
    default long oomKillCount() {
        return oomKilled() ? 1 : 0;
    }

    /** Peak memory use in bytes, when the kernel reports it. */
    java.util.OptionalLong memoryPeakBytes();

    /**
     * Freezes every process of the group (the cgroup freezer) and returns once the kernel
     * reports the group frozen: they use no CPU until {@link #thaw()}, their memory is kept.
     * Idempotent.
     *
     * @throws dev.agentkernel.model.BackendUnavailableException if this host has no freezer
     * @throws dev.agentkernel.model.SandboxFailureException if the group did not freeze in time
     *         (it is thawed again then)
     */
    default void freeze() {
        throw new dev.agentkernel.model.BackendUnavailableException("control group " + name()
                + " cannot be frozen: no cgroup freezer");
    }

    /** Thaws the group's processes; idempotent, never throws. */
    default void thaw() {
    }

    /** Whether the group is frozen (or being frozen) now. */
    default boolean frozen() {
        return false;
    }

    /**
     * CPU time used by the group's processes so far, in microseconds ({@code cpu.stat}'s
     * {@code usage_usec} on v2 and on a hybrid host's unified group, {@code cpuacct.usage} where
     * the v1 cpu and cpuacct controllers share a hierarchy); empty when the kernel reports none.
     */
    default java.util.OptionalLong cpuUsageMicros() {
        return java.util.OptionalLong.empty();
    }

    /**
     * Sends SIGKILL to every process of the group, atomically where the kernel allows; a frozen
     * group is thawed after the signal so that its processes die (v1 frozen tasks do not die
     * until thawed).
     */
    void killAll();

    /**
     * Kills every process, waits up to {@code wait} for the group to empty and removes it.
     *
     * @return whether the group is gone
     */
    boolean destroy(Duration wait);

    /** {@link #destroy} with a two-second wait; never throws. */
    @Override
    default void close() {
        destroy(Duration.ofSeconds(2));
    }
}
