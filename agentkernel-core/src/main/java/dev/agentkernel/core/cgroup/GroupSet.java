package dev.agentkernel.core.cgroup;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A sandbox group made of one directory per hierarchy (one for v2; one per controller
 * for v1, plus the v2 kill-only group on hybrid hosts). Package-private; built by the drivers.
 */
final class GroupSet implements SandboxCgroup {

    /** How soon a group that still holds a process is looked at again, at first. */
    private static final long MIN_LOOK_NANOS = 50_000;
    /** How long at most between two looks at a group that still holds processes. */
    private static final long MAX_LOOK_NANOS = 1_000_000;
    /** How often the processes still in a group being destroyed are killed again. */
    private static final long KILL_AGAIN_NANOS = 1_000_000;

    private final String name;
    private final List<Path> dirs;
    private final Path pidsSource;
    private final Optional<Path> killFile;
    private final Path oomFile;
    private final String oomKey;
    private final Optional<Path> peakFile;
    private final Freezer freezer;
    private final Optional<Path> cpuUsageFile;

    GroupSet(String name, List<Path> dirs, Path pidsSource, Optional<Path> killFile, Path oomFile, String oomKey,
             Optional<Path> peakFile) {
        this(name, dirs, pidsSource, killFile, oomFile, oomKey, peakFile, new Freezer.None(), Optional.empty());
    }

    /**
     * @param freezer      how the group is frozen
     * @param cpuUsageFile {@code cpu.stat} (its {@code usage_usec}) or {@code cpuacct.usage} (nanoseconds)
     */
    GroupSet(String name, List<Path> dirs, Path pidsSource, Optional<Path> killFile, Path oomFile, String oomKey,
             Optional<Path> peakFile, Freezer freezer, Optional<Path> cpuUsageFile) {
        this.freezer = freezer;
        this.cpuUsageFile = cpuUsageFile;
        this.name = name;
        this.dirs = List.copyOf(dirs);
        this.pidsSource = pidsSource;
        this.killFile = killFile;
        this.oomFile = oomFile;
        this.oomKey = oomKey;
        this.peakFile = peakFile;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<Path> procsFiles() {
        return dirs.stream().map(d -> d.resolve("cgroup.procs")).toList();
    }

    @Override
    public List<Long> pids() {
        return CgroupFiles.pids(pidsSource.resolve("cgroup.procs"));
    }

    @Override
    public boolean oomKilled() {
        return oomKillCount() > 0;
    }

    @Override
    public long oomKillCount() {
        return CgroupFiles.keyed(oomFile, oomKey).orElse(0);
    }

    @Override
    public OptionalLong memoryPeakBytes() {
        if (peakFile.isEmpty()) {
            return OptionalLong.empty();
        }
        return CgroupFiles.read(peakFile.get()).map(s -> {
            try {
                return OptionalLong.of(Long.parseLong(s.trim()));
            } catch (NumberFormatException e) {
                return OptionalLong.empty();
            }
        }).orElse(OptionalLong.empty());
    }

    @Override
    public void freeze() {
        freezer.freeze();
    }

    @Override
    public void thaw() {
        freezer.thaw();
    }

    @Override
    public boolean frozen() {
        return freezer.frozen();
    }

    @Override
    public OptionalLong cpuUsageMicros() {
        if (cpuUsageFile.isEmpty()) {
            return OptionalLong.empty();
        }
        Path file = cpuUsageFile.get();
        if (file.getFileName().toString().equals("cpu.stat")) {
            return CgroupFiles.keyed(file, "usage_usec");
        }
        return CgroupFiles.read(file).map(s -> {
            try {
                return OptionalLong.of(Long.parseLong(s.trim()) / 1000);
            } catch (NumberFormatException e) {
                return OptionalLong.empty();
            }
        }).orElse(OptionalLong.empty());
    }

    @Override
    public void killAll() {
        killFile.ifPresent(f -> CgroupFiles.tryWrite(f, "1"));
        if (freezer.frozen()) {
            // frozen v1 tasks take the signal only when thawed: signal first, so none runs a line of its own code
            for (long pid : pids()) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
            freezer.thaw();
        }
        // Also signal pid by pid: covers kernels without cgroup.kill and races with fork.
        for (int round = 0; round < 50; round++) {
            List<Long> pids = pids();
            if (pids.isEmpty()) {
                return;
            }
            for (long pid : pids) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
            if (round > 0) {
                pause(1);
            }
        }
    }

    @Override
    public boolean destroy(Duration wait) {
        // The usual end: the launcher reaped every process of the sandbox before it exited, so the
        // group is empty and goes at once (no read of its process list first).
        if (removeAll()) {
            return true;
        }
        long start = System.nanoTime();
        long deadline = start + wait.toNanos();
        long lastKill = start - KILL_AGAIN_NANOS; // the first look kills
        while (!pids().isEmpty() && System.nanoTime() < deadline) {
            long now = System.nanoTime();
            if (now - lastKill >= KILL_AGAIN_NANOS) {
                killAll();
                lastKill = now;
            }
            // A killed process leaves the group once it is reaped (by its parent, or by the host's
            // init for an orphan): look again soon, then less and less often.
            LockSupport.parkNanos(Math.clamp((now - start) / 4, MIN_LOOK_NANOS, MAX_LOOK_NANOS));
        }
        boolean gone = true;
        for (Path dir : dirs) {
            boolean removed = CgroupFiles.rmdir(dir);
            while (!removed && System.nanoTime() < deadline) {
                pause(2);
                removed = CgroupFiles.rmdir(dir);
            }
            gone &= removed;
        }
        return gone;
    }

    /** Removes every directory of the group, stopping at the first that cannot be (it holds processes). */
    private boolean removeAll() {
        for (Path dir : dirs) {
            if (!CgroupFiles.rmdir(dir)) {
                return false;
            }
        }
        return true;
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
