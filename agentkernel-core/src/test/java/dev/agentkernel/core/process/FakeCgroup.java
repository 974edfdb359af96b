package dev.agentkernel.core.process;

import dev.agentkernel.core.cgroup.SandboxCgroup;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A control group that only records what was asked of it. */
final class FakeCgroup implements SandboxCgroup {
    final List<Long> pids = new CopyOnWriteArrayList<>();
    final AtomicInteger killAll = new AtomicInteger();
    final AtomicInteger destroyed = new AtomicInteger();
    volatile boolean oomKilled;

    @Override
    public String name() {
        return "fake";
    }

    @Override
    public List<Path> procsFiles() {
        return List.of();
    }

    @Override
    public List<Long> pids() {
        return List.copyOf(pids);
    }

    @Override
    public boolean oomKilled() {
        return oomKilled;
    }

    @Override
    public OptionalLong memoryPeakBytes() {
        return OptionalLong.empty();
    }

    @Override
    public void killAll() {
        killAll.incrementAndGet();
        for (long pid : pids) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    @Override
    public boolean destroy(Duration wait) {
        destroyed.incrementAndGet();
        return true;
    }
}
