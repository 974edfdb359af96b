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

    /** Sends SIGKILL to every process of the group, atomically where the kernel allows. */
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
