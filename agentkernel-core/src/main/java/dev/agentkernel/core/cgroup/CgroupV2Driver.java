package dev.agentkernel.core.cgroup;

import dev.agentkernel.core.backend.Availability;
import dev.agentkernel.model.ResourceLimits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * cgroup v2: one directory {@code <root>/agentkernel/<name>} with {@code memory.max},
 * {@code memory.swap.max}, {@code pids.max} and {@code cpu.max}; {@code cgroup.kill} ends
 * the whole tree at once.
 */
public final class CgroupV2Driver implements CgroupDriver {

    private static final long CPU_PERIOD_US = 100_000;
    private static final List<String> CONTROLLERS = List.of("memory", "pids", "cpu");
    private final Path root;

    CgroupV2Driver(Path root) {
        this.root = root;
    }

    static Detection probe(Path root) {
        String available = CgroupFiles.read(root.resolve("cgroup.controllers")).orElse("");
        for (String c : CONTROLLERS) {
            if (!(" " + available.trim() + " ").contains(" " + c + " ")) {
                return new Detection(null, Availability.unavailable("cgroup v2 controller '" + c
                        + "' is not available at " + root, "enable it in the kernel or the parent's cgroup.subtree_control"));
            }
        }
        Path parent = root.resolve(PARENT);
        if (!(Files.isDirectory(parent) ? Files.isWritable(parent) : Files.isWritable(root))) {
            return new Detection(null, Availability.unavailable("cannot create cgroups under " + root
                    + " (permission denied)", "run as root to enforce resource limits"));
        }
        return new Detection(new CgroupV2Driver(root), Availability.available());
    }

    @Override
    public String describe() {
        return "cgroup v2";
    }

    private void enableControllers() {
        String wanted = String.join(" ", CONTROLLERS.stream().map(c -> "+" + c).toList());
        Path parent = root.resolve(PARENT);
        if (!enabled(root.resolve("cgroup.subtree_control"))) {
            CgroupFiles.write(root.resolve("cgroup.subtree_control"), wanted);
        }
        CgroupFiles.mkdir(parent);
        if (!enabled(parent.resolve("cgroup.subtree_control"))) {
            CgroupFiles.write(parent.resolve("cgroup.subtree_control"), wanted);
        }
    }

    private static boolean enabled(Path subtreeControl) {
        String text = " " + CgroupFiles.read(subtreeControl).orElse("").trim() + " ";
        return CONTROLLERS.stream().allMatch(c -> text.contains(" " + c + " "));
    }

    @Override
    public Prepared prepare(String name, ResourceLimits limits) {
        enableControllers();
        Path parent = root.resolve(PARENT);
        Path dir = parent.resolve(name);
        List<CgroupRecipe.Step> steps = new ArrayList<>();
        steps.add(new CgroupRecipe.Make(dir, false));
        steps.add(new CgroupRecipe.Write(dir.resolve("memory.max"), Long.toString(limits.memoryMb() * 1024 * 1024)));
        if (Files.exists(parent.resolve("memory.swap.max"))) { // the parent's enabled controllers are the group's
            steps.add(new CgroupRecipe.Write(dir.resolve("memory.swap.max"), "0"));
        }
        steps.add(new CgroupRecipe.Write(dir.resolve("pids.max"), Integer.toString(limits.pids())));
        steps.add(new CgroupRecipe.Write(dir.resolve("cpu.max"),
                String.format(Locale.ROOT, "%d %d", Math.round(limits.vcpus() * CPU_PERIOD_US), CPU_PERIOD_US)));
        GroupSet group = new GroupSet(name, List.of(dir), dir, Optional.of(dir.resolve("cgroup.kill")),
                dir.resolve("memory.events"), "oom_kill", Optional.of(dir.resolve("memory.peak")),
                new Freezer.V2(dir), Optional.of(dir.resolve("cpu.stat")));
        return new Prepared(group, new CgroupRecipe(steps));
    }

    @Override
    public int reapStale() {
        int reaped = 0;
        for (Path group : CgroupFiles.children(root.resolve(PARENT))) {
            if (CgroupFiles.ownerGone(group)) {
                new GroupSet(group.getFileName().toString(), List.of(group), group,
                        Optional.of(group.resolve("cgroup.kill")), group.resolve("memory.events"), "oom_kill",
                        Optional.empty(), new Freezer.V2(group), Optional.empty()).destroy(java.time.Duration.ofSeconds(1));
                reaped++;
            }
        }
        return reaped;
    }
}
