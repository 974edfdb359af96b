package dev.agentkernel.backend.bwrap;

import dev.agentkernel.core.cgroup.CgroupDriver;
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
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * AgentKernel's cgroup of a sandbox on the Docker engine, with the engine's container cgroup nested
 * in it ({@code docker run --cgroup-parent}): the limits, the freezer and the CPU counter are the
 * outer group's (hierarchical), while the processes live in the engine's inner group. So the
 * processes are listed and killed through every group below the outer one; an OOM kill is counted
 * where the kernel counts it (the inner group, whose memory limit is the same) and, once the inner
 * group is gone with its container, taken from the engine ({@code State.OOMKilled}). Destroying it
 * also removes the groups the engine made under {@code agentkernel/<name>} in the hierarchies
 * AgentKernel does not use itself (blkio, devices, cpuset, ...).
 */
final class DockerCgroup implements SandboxCgroup {

    private final SandboxCgroup outer;
    private final Path root;
    private final BooleanSupplier engineOom;

    /**
     * @param outer     AgentKernel's group of the sandbox
     * @param root      where the cgroup hierarchies are mounted ({@code /sys/fs/cgroup})
     * @param engineOom whether the engine saw an OOM kill in the container (asked only after a failure)
     */
    DockerCgroup(SandboxCgroup outer, Path root, BooleanSupplier engineOom) {
        this.outer = outer;
        this.root = root;
        this.engineOom = engineOom;
    }

    @Override
    public String name() {
        return outer.name();
    }

    @Override
    public List<Path> procsFiles() {
        return outer.procsFiles();
    }

    /** {@code <root>/<hierarchy>/agentkernel/<name>} of every hierarchy that has it. */
    private List<Path> tops() {
        List<Path> tops = new ArrayList<>();
        try (Stream<Path> hierarchies = Files.list(root)) {
            for (Path hierarchy : hierarchies.toList()) {
                Path top = hierarchy.resolve(CgroupDriver.PARENT).resolve(outer.name());
                if (Files.isDirectory(top)) {
                    tops.add(top);
                }
            }
        } catch (IOException ignored) {
            // no hierarchy listed: nothing of ours there
        }
        Path pure = root.resolve(CgroupDriver.PARENT).resolve(outer.name()); // pure cgroup v2
        if (Files.isDirectory(pure)) {
            tops.add(pure);
        }
        return tops;
    }

    /** The groups below the tops, deepest first. */
    private List<Path> inner() {
        List<Path> dirs = new ArrayList<>();
        for (Path top : tops()) {
            addGroupsBelow(top, dirs);
        }
        dirs.sort(Comparator.comparingInt(Path::getNameCount).reversed());
        return dirs;
    }

    /** Adds the groups below {@code dir}, at any depth; groups removed meanwhile are skipped. */
    private static void addGroupsBelow(Path dir, List<Path> dirs) {
        List<Path> children;
        try (Stream<Path> list = Files.list(dir)) {
            children = list.filter(p -> Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)).toList();
        } catch (IOException | java.io.UncheckedIOException e) {
            return; // removed meanwhile
        }
        for (Path child : children) {
            dirs.add(child);
            addGroupsBelow(child, dirs);
        }
    }

    @Override
    public List<Long> pids() {
        Set<Long> pids = new LinkedHashSet<>(outer.pids());
        for (Path dir : inner()) {
            pids.addAll(readPids(dir.resolve("cgroup.procs")));
        }
        return List.copyOf(pids);
    }

    private static List<Long> readPids(Path procs) {
        try {
            return Files.readAllLines(procs).stream().map(String::strip).filter(s -> !s.isEmpty())
                    .map(Long::parseLong).toList();
        } catch (IOException | NumberFormatException e) {
            return List.of();
        }
    }

    @Override
    public boolean oomKilled() {
        return oomKillCount() > 0 || engineOom.getAsBoolean();
    }

    @Override
    public long oomKillCount() {
        long count = outer.oomKillCount();
        for (Path dir : inner()) {
            count += counter(dir.resolve("memory.oom_control"), "oom_kill")
                    + counter(dir.resolve("memory.events"), "oom_kill");
        }
        return count;
    }

    private static long counter(Path file, String key) {
        try {
            for (String line : Files.readAllLines(file)) {
                String[] kv = line.strip().split("\\s+");
                if (kv.length == 2 && kv[0].equals(key)) {
                    return Long.parseLong(kv[1]);
                }
            }
        } catch (IOException | NumberFormatException ignored) {
            // no such controller here
        }
        return 0;
    }

    @Override
    public OptionalLong memoryPeakBytes() {
        return outer.memoryPeakBytes();
    }

    @Override
    public void freeze() {
        outer.freeze();
    }

    @Override
    public void thaw() {
        outer.thaw();
    }

    @Override
    public boolean frozen() {
        return outer.frozen();
    }

    @Override
    public OptionalLong cpuUsageMicros() {
        return outer.cpuUsageMicros();
    }

    @Override
    public void killAll() {
        outer.killAll();
        for (long pid : pids()) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
        outer.thaw();
    }

    @Override
    public boolean destroy(Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        killAll();
        while (!pids().isEmpty() && System.nanoTime() < deadline) {
            killAll();
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (Path dir : inner()) {
            try {
                Files.deleteIfExists(dir);
            } catch (IOException ignored) {
                // the engine removes it itself, or it still holds a process: reported below
            }
        }
        boolean gone = outer.destroy(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        for (Path top : tops()) { // the engine's own hierarchies (blkio, devices, ...)
            try {
                Files.deleteIfExists(top);
            } catch (IOException e) {
                gone = false;
            }
        }
        return gone;
    }
}
