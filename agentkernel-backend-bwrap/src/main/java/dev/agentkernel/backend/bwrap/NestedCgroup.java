package dev.agentkernel.backend.bwrap;

import dev.agentkernel.core.cgroup.SandboxCgroup;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A sandbox's control group(s) when an OCI runtime or engine makes groups of its own below or beside
 * them: podman the container's and its monitor's below them, Docker the container's ({@code docker run
 * --cgroup-parent}) below them and its path in the hierarchies AgentKernel does not use; runc (and podman's runc) the sandbox's
 * path in every other cgroup v1 hierarchy mounted, which runc's state, deleted with the sandbox, was
 * the only record of. The limits are the sandbox's group's, which hold for everything
 * below it; what the sandbox's group alone does not see is added here: the processes of the groups
 * below (to signal them all on a timeout and when the sandbox ends), their removal before the
 * sandbox's own (the engine's may be left when it was killed), and, on cgroup v1, OOM kills, which
 * the kernel counts in the group of the killed process only (v2 counts them up the tree). The groups
 * at the sandbox's path in the other v1 hierarchies (blkio, cpuset, devices, the named systemd
 * one...) are removed with the sandbox too. The
 * engine removes the container's group as soon as the container ends; an OOM kill seen in it while
 * it lived is remembered, and one that ended the container is found in the kernel log (its
 * {@code oom_memcg=} is the sandbox's group), looked up only when the sandbox's group hit its
 * memory limit.
 */
final class NestedCgroup implements SandboxCgroup {

    private static final Duration KERNEL_LOG_TIMEOUT = Duration.ofSeconds(5);
    private static final Pattern OOM_KILL = Pattern.compile("(?m)^oom_kill (\\d+)$");
    private static final System.Logger LOG = System.getLogger(NestedCgroup.class.getName());

    private final SandboxCgroup group;
    private final String path;
    private final Path cgroupRoot;
    private final boolean below;
    private final List<Path> dirs;
    private final AtomicLong nestedKills = new AtomicLong();
    private final java.util.function.BooleanSupplier engineOom;

    /**
     * @param group the sandbox's group(s)
     * @param path  its path below the hierarchies' roots ({@code /agentkernel/ID}), as the kernel log names it
     * @param cgroupRoot where the hierarchies are mounted ({@code /sys/fs/cgroup})
     * @param below      whether the runtime makes groups below the sandbox's (podman); without, only the
     *                   other hierarchies are looked at, once, when the sandbox ends (walking the groups'
     *                   directories costs a sandbox's start time)
     */
    NestedCgroup(SandboxCgroup group, String path, Path cgroupRoot, boolean below) {
        this(group, path, cgroupRoot, below, () -> false);
    }

    /**
     * Like {@link #NestedCgroup(SandboxCgroup, String, Path, boolean)}, with what the engine itself knows
     * of an OOM kill (Docker's {@code State.OOMKilled}), asked last, once the counters and the kernel log
     * found none.
     */
    NestedCgroup(SandboxCgroup group, String path, Path cgroupRoot, boolean below,
                 java.util.function.BooleanSupplier engineOom) {
        this.engineOom = engineOom;
        this.group = group;
        this.path = path;
        this.cgroupRoot = cgroupRoot;
        this.below = below;
        this.dirs = group.procsFiles().stream().map(Path::getParent).toList();
    }

    @Override
    public String name() {
        return group.name();
    }

    @Override
    public List<Path> procsFiles() {
        return group.procsFiles();
    }

    /** The processes of the sandbox's group(s) and of every group below them. */
    @Override
    public List<Long> pids() {
        if (!below) {
            return group.pids();
        }
        Set<Long> pids = new LinkedHashSet<>(group.pids());
        for (Path nested : nestedGroups()) {
            pids.addAll(procs(nested)); // nothing when removed meanwhile
        }
        return List.copyOf(pids);
    }

    @Override
    public boolean oomKilled() {
        if (oomKillCount() > 0) {
            return true;
        }
        return below && memoryDir().map(dir -> failures(dir) > 0 && killedInKernelLog()).orElse(false)
                || engineOom.getAsBoolean();
    }

    /** The sandbox's group's count, plus (cgroup v1) the largest total yet seen in the groups below it. */
    @Override
    public long oomKillCount() {
        long own = group.oomKillCount();
        Path memory = below ? memoryDir().orElse(null) : null;
        if (memory == null) {
            return own;
        }
        long nested = 0;
        for (Path dir : descendants(memory)) {
            nested += oomKills(dir);
        }
        long seen = nested;
        return own + nestedKills.accumulateAndGet(seen, Math::max);
    }

    @Override
    public OptionalLong memoryPeakBytes() {
        return group.memoryPeakBytes();
    }

    @Override
    public void freeze() {
        group.freeze();
    }

    @Override
    public void thaw() {
        group.thaw();
    }

    @Override
    public boolean frozen() {
        return group.frozen();
    }

    @Override
    public OptionalLong cpuUsageMicros() {
        return group.cpuUsageMicros();
    }

    /** SIGKILL to every process below too, then the sandbox's group's own (which thaws a frozen group). */
    @Override
    public void killAll() {
        if (!below) {
            group.killAll();
            return;
        }
        for (int round = 0; round < 50; round++) {
            List<Long> pids = pids();
            if (pids.isEmpty()) {
                break;
            }
            pids.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
            group.killAll();
        }
    }

    @Override
    public boolean destroy(Duration wait) {
        if (!below) {
            return group.destroy(wait) & removeForeignGroups();
        }
        long deadline = System.nanoTime() + wait.toNanos();
        killAll();
        while (!pids().isEmpty() && System.nanoTime() < deadline) {
            sleep();
            killAll();
        }
        for (Path nested : nestedGroups()) {
            try {
                Files.deleteIfExists(nested); // rmdir of an empty group
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot remove control group " + nested + ": " + e.getMessage());
            }
        }
        return group.destroy(Duration.ofNanos(Math.max(0, deadline - System.nanoTime()))) & removeForeignGroups();
    }

    /** Removes the sandbox's groups in the other hierarchies: each at once when empty, else its tree deepest first. */
    private boolean removeForeignGroups() {
        boolean gone = true;
        for (Path foreign : foreignGroups()) {
            try {
                Files.deleteIfExists(foreign);
                continue;
            } catch (IOException notEmpty) {
                // groups below it
            }
            for (Path dir : descendantsAndSelf(foreign)) {
                try {
                    Files.deleteIfExists(dir);
                } catch (IOException e) {
                    gone = false;
                    LOG.log(System.Logger.Level.WARNING, "cannot remove control group " + dir + ": " + e.getMessage());
                }
            }
        }
        return gone;
    }

    /**
     * The groups of sandboxes whose AgentKernel died, with what an engine made below them, in every
     * hierarchy: their processes killed, then the groups removed, deepest first. Run before the cgroup
     * driver reaps its own (which cannot remove a group that still has groups below it).
     */
    static void reapOrphans(Path cgroupRoot) {
        for (Path hierarchy : hierarchies(cgroupRoot)) {
            Path parent = hierarchy.resolve(dev.agentkernel.core.cgroup.CgroupDriver.PARENT);
            if (!Files.isDirectory(parent, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            List<Path> orphans;
            try (Stream<Path> groups = Files.list(parent)) {
                orphans = groups.filter(g -> Files.isDirectory(g, java.nio.file.LinkOption.NOFOLLOW_LINKS))
                        .filter(g -> dev.agentkernel.core.host.OwnerTag.isOrphaned(g.getFileName().toString()))
                        .toList();
            } catch (IOException e) {
                continue;
            }
            for (Path orphan : orphans) {
                List<Path> tree = descendantsAndSelf(orphan);
                for (int round = 0; round < 50; round++) {
                    boolean any = false;
                    for (Path dir : tree) {
                        for (long pid : procs(dir)) {
                            any = true;
                            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                        }
                    }
                    if (!any) {
                        break;
                    }
                    sleep();
                }
                for (Path dir : tree) {
                    try {
                        Files.deleteIfExists(dir);
                    } catch (IOException e) {
                        LOG.log(System.Logger.Level.WARNING, "cannot remove control group " + dir + ": " + e.getMessage());
                    }
                }
            }
        }
    }

    /** The hierarchy at the root (pure v2) and those mounted below it, named or not (not the links between them). */
    private static List<Path> hierarchies(Path cgroupRoot) {
        List<Path> hierarchies = new ArrayList<>();
        hierarchies.add(cgroupRoot);
        try (Stream<Path> mounted = Files.list(cgroupRoot)) {
            mounted.filter(h -> Files.isDirectory(h, java.nio.file.LinkOption.NOFOLLOW_LINKS)).forEach(hierarchies::add);
        } catch (IOException e) {
            // none below
        }
        return hierarchies;
    }

    private static List<Long> procs(Path dir) {
        try {
            return Files.readAllLines(dir.resolve("cgroup.procs")).stream().filter(l -> !l.isBlank())
                    .map(l -> Long.parseLong(l.strip())).toList();
        } catch (IOException | NumberFormatException e) {
            return List.of();
        }
    }

    /**
     * The sandbox's path in the hierarchies that are not the sandbox's own (the engine made them there):
     * in the root hierarchy (pure v2) and every one mounted below it, named or not, but not those of
     * {@link #procsFiles()}.
     */
    private List<Path> foreignGroups() {
        String relative = path.startsWith("/") ? path.substring(1) : path;
        List<Path> foreign = new ArrayList<>();
        for (Path hierarchy : hierarchies(cgroupRoot)) {
            Path group = hierarchy.resolve(relative);
            if (!dirs.contains(group) && Files.isDirectory(group, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                foreign.add(group);
            }
        }
        return foreign;
    }

    /** {@code dir} and every directory below it, deepest first. */
    private static List<Path> descendantsAndSelf(Path dir) {
        List<Path> all = new ArrayList<>(descendants(dir));
        all.sort(Comparator.comparingInt(Path::getNameCount).reversed());
        all.add(dir);
        return all;
    }

    /** Every group below the sandbox's, deepest first. */
    private List<Path> nestedGroups() {
        List<Path> all = new ArrayList<>();
        for (Path dir : dirs) {
            all.addAll(descendants(dir));
        }
        all.sort(Comparator.comparingInt(Path::getNameCount).reversed());
        return all;
    }

    private static List<Path> descendants(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(p -> !p.equals(dir) && Files.isDirectory(p)).toList();
        } catch (IOException | java.io.UncheckedIOException e) {
            return List.of(); // gone, or changing while walked
        }
    }

    /** The group's directory in the v1 memory hierarchy, if there is one (v2 counts OOM kills up the tree). */
    private java.util.Optional<Path> memoryDir() {
        return dirs.stream().filter(d -> Files.exists(d.resolve("memory.oom_control"))).findFirst();
    }

    private static long oomKills(Path dir) {
        try {
            Matcher m = OOM_KILL.matcher(Files.readString(dir.resolve("memory.oom_control")));
            return m.find() ? Long.parseLong(m.group(1)) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private static long failures(Path memoryDir) {
        try {
            return Long.parseLong(Files.readString(memoryDir.resolve("memory.failcnt")).strip());
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    /** Whether the kernel log records an OOM kill for the sandbox's group's limit. */
    private boolean killedInKernelLog() {
        String needle = "oom_memcg=" + path + ",";
        try {
            Process dmesg = new ProcessBuilder("dmesg").redirectErrorStream(true).start();
            boolean found;
            try (var lines = dmesg.inputReader().lines()) {
                found = lines.anyMatch(l -> l.contains(needle));
            }
            if (!dmesg.waitFor(KERNEL_LOG_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                dmesg.destroyForcibly();
            }
            return found;
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot read the kernel log: " + e.getMessage());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(2);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
