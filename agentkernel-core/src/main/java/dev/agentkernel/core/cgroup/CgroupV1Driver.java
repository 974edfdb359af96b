package dev.agentkernel.core.cgroup;

import dev.agentkernel.core.backend.Availability;
import dev.agentkernel.model.ResourceLimits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * cgroup v1: one directory per controller (memory, pids, cpu) under
 * {@code <root>/<controller>/agentkernel/<name>}. On hybrid hosts, where a v2 hierarchy is
 * mounted at {@code <root>/unified}, the sandbox also gets a group there so that
 * {@code cgroup.kill} can end the whole tree at once. Where the {@code freezer} controller is
 * mounted the sandbox gets a group there too, which pauses it ({@link SandboxCgroup#freeze()});
 * else the unified group's {@code cgroup.freeze} does.
 */
public final class CgroupV1Driver implements CgroupDriver {

    /** The kernel's CFS bandwidth period of every new group (a constant of the scheduler): only the quota is written. */
    private static final long CPU_PERIOD_US = 100_000;
    private final Path root;
    private final boolean unifiedKill;
    /**
     * Facts about the hierarchies, each looked at once when first needed, not at every sandbox's
     * start: whether the memory controller accounts swap (its root group has the memsw files),
     * whether the freezer controller is mounted, and whether the cpu hierarchy also has cpuacct.
     */
    private final HostFact swapAccounting;
    private final HostFact freezer;
    private final HostFact cpuacct;

    CgroupV1Driver(Path root, boolean unifiedKill) {
        this.root = root;
        this.unifiedKill = unifiedKill;
        this.swapAccounting = new HostFact(() -> Files.exists(root.resolve("memory").resolve("memory.memsw.limit_in_bytes")));
        this.freezer = new HostFact(() -> Files.isRegularFile(root.resolve("freezer").resolve("cgroup.procs")));
        this.cpuacct = new HostFact(() -> Files.isRegularFile(root.resolve("cpu").resolve("cpuacct.usage")));
    }

    /** A yes-or-no fact about the host, looked at on first use and kept. */
    private static final class HostFact {
        private final BooleanSupplier probe;
        private volatile Boolean value;

        HostFact(BooleanSupplier probe) {
            this.probe = probe;
        }

        boolean get() {
            Boolean known = value;
            if (known == null) {
                known = probe.getAsBoolean();
                value = known;
            }
            return known;
        }
    }

    private boolean freezer() {
        return freezer.get();
    }

    static Detection probe(Path root) {
        for (String controller : List.of("memory", "pids", "cpu")) {
            Path dir = root.resolve(controller);
            if (!Files.isRegularFile(dir.resolve("cgroup.procs"))) {
                return new Detection(null, Availability.unavailable("cgroup v1 controller '" + controller
                        + "' is not mounted at " + dir, "mount it, or boot with cgroup v2"));
            }
            Path parent = dir.resolve(PARENT);
            if (!(Files.isDirectory(parent) ? Files.isWritable(parent) : Files.isWritable(dir))) {
                return new Detection(null, Availability.unavailable("cannot create cgroups under " + dir
                        + " (permission denied)", "run as root to enforce resource limits"));
            }
        }
        Path unified = root.resolve("unified");
        boolean kill = Files.isRegularFile(unified.resolve("cgroup.kill"))
                || (Files.isDirectory(unified) && Files.isWritable(unified) && kernelHasCgroupKill());
        return new Detection(new CgroupV1Driver(root, kill), Availability.available());
    }

    private static boolean kernelHasCgroupKill() {
        // cgroup.kill exists only in non-root v2 groups; Linux 5.14+ provides it.
        String release = System.getProperty("os.version", "0.0");
        String[] parts = release.split("[.-]");
        try {
            int major = Integer.parseInt(parts[0]);
            int minor = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
            return major > 5 || (major == 5 && minor >= 14);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    @Override
    public String describe() {
        return "cgroup v1 (memory, pids, cpu" + (freezer() ? ", freezer" : "") + (unifiedKill ? "; v2 kill group" : "") + ")";
    }

    @Override
    public Prepared prepare(String name, ResourceLimits limits) {
        List<CgroupRecipe.Step> steps = new ArrayList<>();
        List<Path> dirs = new ArrayList<>();
        Path memory = group("memory", name, steps, dirs, false);
        String bytes = Long.toString(limits.memoryMb() * 1024 * 1024);
        steps.add(new CgroupRecipe.Write(memory.resolve("memory.limit_in_bytes"), bytes));
        if (swapAccounting.get()) {
            steps.add(new CgroupRecipe.Write(memory.resolve("memory.memsw.limit_in_bytes"), bytes));
        }
        Path pids = group("pids", name, steps, dirs, false);
        steps.add(new CgroupRecipe.Write(pids.resolve("pids.max"), Integer.toString(limits.pids())));
        Path cpu = group("cpu", name, steps, dirs, false);
        steps.add(new CgroupRecipe.Write(cpu.resolve("cpu.cfs_quota_us"),
                Long.toString(Math.round(limits.vcpus() * CPU_PERIOD_US))));
        Optional<Path> unifiedGroup = unifiedKill ? Optional.of(group("unified", name, steps, dirs, true))
                : Optional.empty();
        Optional<Path> freezerGroup = freezer() ? Optional.of(group("freezer", name, steps, dirs, true))
                : Optional.empty();
        Optional<Path> cpuUsage = unifiedGroup.map(u -> u.resolve("cpu.stat"))
                .or(() -> cpuacct.get() ? Optional.of(cpu.resolve("cpuacct.usage")) : Optional.empty());
        GroupSet group = new GroupSet(name, dirs, pids, unifiedGroup.map(u -> u.resolve("cgroup.kill")),
                memory.resolve("memory.oom_control"), "oom_kill", Optional.of(memory.resolve("memory.max_usage_in_bytes")),
                Freezer.of(freezerGroup, unifiedGroup), cpuUsage);
        return new Prepared(group, new CgroupRecipe(steps));
    }

    /** The group's directory in {@code controller}'s hierarchy, made by a step of the recipe. */
    private Path group(String controller, String name, List<CgroupRecipe.Step> steps, List<Path> dirs, boolean optional) {
        Path dir = root.resolve(controller).resolve(PARENT).resolve(name);
        steps.add(new CgroupRecipe.Make(dir, optional));
        dirs.add(dir);
        return dir;
    }

    @Override
    public int reapStale() {
        int reaped = 0;
        for (Path group : CgroupFiles.children(root.resolve("pids").resolve(PARENT))) {
            if (CgroupFiles.ownerGone(group)) {
                String name = group.getFileName().toString();
                List<Path> dirs = new ArrayList<>();
                for (String c : List.of("memory", "pids", "cpu")) {
                    dirs.add(root.resolve(c).resolve(PARENT).resolve(name));
                }
                Path unified = root.resolve("unified").resolve(PARENT).resolve(name);
                Optional<Path> kill = Files.isDirectory(unified) ? Optional.of(unified.resolve("cgroup.kill")) : Optional.empty();
                if (kill.isPresent()) {
                    dirs.add(unified);
                }
                Path freezer = root.resolve("freezer").resolve(PARENT).resolve(name);
                dirs.add(freezer);
                // a sandbox left paused: thawed by killAll so that its processes die
                new GroupSet(name, dirs.stream().filter(Files::isDirectory).toList(), group, kill,
                        dirs.getFirst().resolve("memory.oom_control"), "oom_kill", Optional.empty(),
                        Freezer.of(Optional.of(freezer).filter(Files::isDirectory),
                                Optional.of(unified).filter(Files::isDirectory)), Optional.empty())
                        .destroy(java.time.Duration.ofSeconds(1));
                reaped++;
            }
        }
        for (String c : List.of("memory", "cpu", "unified", "freezer")) {
            for (Path group : CgroupFiles.children(root.resolve(c).resolve(PARENT))) {
                if (CgroupFiles.ownerGone(group) && CgroupFiles.pids(group.resolve("cgroup.procs")).isEmpty()) {
                    CgroupFiles.rmdir(group);
                }
            }
        }
        return reaped;
    }
}
