package dev.agentkernel.core.cgroup;

import dev.agentkernel.core.backend.Availability;
import dev.agentkernel.model.ResourceLimits;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Creates per-sandbox control groups under an {@code agentkernel} parent group.
 * Group names are {@code <owner-pid>-<n>} so that groups left behind by a process that
 * died can be found and removed by the next one ({@link #reapStale()}).
 */
public sealed interface CgroupDriver permits CgroupV1Driver, CgroupV2Driver {

    /** Name of the parent group that holds every sandbox group. */
    String PARENT = "agentkernel";

    /** "cgroup v1 (memory, pids, cpu)" or "cgroup v2". */
    String describe();

    /**
     * Describes the group of one sandbox without making it: the group, and the recipe that
     * makes it and writes its limits (followed by {@link #create}, or by the launcher).
     *
     * @param name unique name, {@code <owner-pid>-<n>}
     */
    Prepared prepare(String name, ResourceLimits limits);

    /**
     * Creates a group for one sandbox and writes its limits.
     *
     * @param name unique name, {@code <owner-pid>-<n>}
     * @throws dev.agentkernel.model.SandboxFailureException if the group cannot be made;
     *         nothing is left behind then
     */
    default SandboxCgroup create(String name, ResourceLimits limits) {
        Prepared prepared = prepare(name, limits);
        prepared.recipe().apply();
        return prepared.group();
    }

    /**
     * A sandbox's group as {@link #prepare} describes it.
     *
     * @param group  the group (its directories exist once the recipe was followed)
     * @param recipe what makes it
     */
    record Prepared(SandboxCgroup group, CgroupRecipe recipe) {
    }

    /** Kills the processes of and removes groups whose owner process no longer runs. Returns how many. */
    int reapStale();

    /**
     * Finds the driver for this host: pure v2 when {@code <root>/cgroup.controllers} exists,
     * else v1 when the memory, pids and cpu hierarchies exist.
     *
     * @param root usually {@code /sys/fs/cgroup}
     */
    static Detection detect(Path root) {
        if (Files.isRegularFile(root.resolve("cgroup.controllers"))) {
            return CgroupV2Driver.probe(root);
        }
        if (Files.isDirectory(root.resolve("memory")) || Files.isDirectory(root.resolve("pids"))) {
            return CgroupV1Driver.probe(root);
        }
        return new Detection(null, Availability.unavailable("no cgroup hierarchy found under " + root,
                "mount cgroup2 at " + root + " or the memory, pids and cpu cgroup v1 controllers"));
    }

    /**
     * The result of {@link #detect}.
     *
     * @param driver       the driver, or null when unavailable
     * @param availability why not, when unavailable
     */
    record Detection(CgroupDriver driver, Availability availability) {
    }
}
