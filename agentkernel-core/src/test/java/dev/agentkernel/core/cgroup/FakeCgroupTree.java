package dev.agentkernel.core.cgroup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A fake cgroup file system in a temporary directory.
 *
 * <p>On a real cgroupfs, {@code mkdir} creates a group's control files and {@code rmdir}
 * removes a group that still lists them. A plain directory cannot do both, so a sandbox
 * group is faked as a <em>symbolic link</em> to a backing directory that holds the control
 * files: the drivers' {@code Files.createDirectories} accepts the link, their writes go
 * through it into the backing files (which the tests read), and their {@code rmdir}
 * ({@code Files.deleteIfExists}) removes the link, like the kernel removes the group.
 */
final class FakeCgroupTree {

    /** Larger than the kernel's PID_MAX_LIMIT (2^22): never a running process. */
    static final long DEAD_PID = 4_194_305L;

    final Path root;
    final Path backing;

    FakeCgroupTree(Path tempDir) {
        this.root = tempDir.resolve("sys-fs-cgroup");
        this.backing = tempDir.resolve("backing");
        mkdirs(root);
        mkdirs(backing);
    }

    /** A pure v2 root with the given controllers available. */
    FakeCgroupTree v2(String controllers) {
        file(root.resolve("cgroup.controllers"), controllers + "\n");
        file(root.resolve("cgroup.procs"), "1\n");
        file(root.resolve("cgroup.subtree_control"), "");
        return this;
    }

    /** The v2 parent group {@code agentkernel}, as the kernel would create it (empty subtree_control). */
    FakeCgroupTree v2Parent(String subtreeControl) {
        Path parent = root.resolve(CgroupDriver.PARENT);
        mkdirs(parent);
        file(parent.resolve("cgroup.procs"), "");
        file(parent.resolve("cgroup.subtree_control"), subtreeControl);
        return this;
    }

    /**
     * A v2 sandbox group whose control files exist; returns its backing directory. The parent
     * has {@code memory.swap.max} too (the kernel accounts swap).
     */
    Path v2Group(String name) {
        file(root.resolve(CgroupDriver.PARENT).resolve("memory.swap.max"), "max\n");
        return group(root.resolve(CgroupDriver.PARENT), "v2", name, List.of("cgroup.procs", "cgroup.kill",
                "memory.max", "memory.swap.max", "pids.max", "cpu.max", "memory.events", "memory.peak"));
    }

    /** v1 hierarchies for memory, pids and cpu, each with its agentkernel parent. */
    FakeCgroupTree v1() {
        for (String c : List.of("memory", "pids", "cpu")) {
            file(root.resolve(c).resolve("cgroup.procs"), "1\n");
            mkdirs(root.resolve(c).resolve(CgroupDriver.PARENT));
        }
        return this;
    }

    /** A v1 group of one controller with the given control files; returns its backing directory. */
    Path v1Group(String controller, String name, String... files) {
        List<String> all = new java.util.ArrayList<>(List.of("cgroup.procs"));
        all.addAll(List.of(files));
        return group(root.resolve(controller).resolve(CgroupDriver.PARENT), "v1-" + controller, name, all);
    }

    /**
     * Every v1 group of a sandbox, with the files the kernel creates (memsw only when asked: in
     * the memory hierarchy's root group too, where the driver looks for swap accounting).
     */
    void v1Groups(String name, boolean memsw) {
        if (memsw) {
            file(root.resolve("memory").resolve("memory.memsw.limit_in_bytes"), "9223372036854771712\n");
            v1Group("memory", name, "memory.limit_in_bytes", "memory.memsw.limit_in_bytes", "memory.oom_control",
                    "memory.max_usage_in_bytes");
        } else {
            v1Group("memory", name, "memory.limit_in_bytes", "memory.oom_control", "memory.max_usage_in_bytes");
        }
        v1Group("pids", name, "pids.max");
        v1Group("cpu", name, "cpu.cfs_period_us", "cpu.cfs_quota_us");
    }

    Path v1Backing(String controller, String name) {
        return backing.resolve("v1-" + controller).resolve(name);
    }

    Path v2Backing(String name) {
        return backing.resolve("v2").resolve(name);
    }

    private Path group(Path parent, String kind, String name, List<String> files) {
        Path target = backing.resolve(kind).resolve(name);
        mkdirs(target);
        for (String f : files) {
            file(target.resolve(f), "");
        }
        mkdirs(parent);
        try {
            Files.createSymbolicLink(parent.resolve(name), target);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return target;
    }

    static void file(Path file, String content) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, content, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void mkdirs(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
