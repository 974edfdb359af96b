package dev.agentkernel.backend.bwrap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentkernel.core.cgroup.SandboxCgroup;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@link NestedCgroup} adds to a sandbox's groups, on a cgroup v1 layout in a temporary directory. */
class NestedCgroupTest {

    @TempDir
    Path root;

    /** The sandbox's own groups: their processes and OOM kills only. */
    private record Own(List<Path> procsFiles, List<Long> pids, long oomKillCount) implements SandboxCgroup {
        @Override
        public String name() {
            return "ak.1-7";
        }

        @Override
        public boolean oomKilled() {
            return oomKillCount > 0;
        }

        @Override
        public OptionalLong memoryPeakBytes() {
            return OptionalLong.empty();
        }

        @Override
        public void killAll() {
        }

        @Override
        public boolean destroy(Duration wait) {
            return true;
        }
    }

    private Path group(String hierarchy, String... below) throws IOException {
        Path dir = root.resolve(hierarchy).resolve("agentkernel/ak.1-7");
        for (String name : below) {
            dir = dir.resolve(name);
        }
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("cgroup.procs"), "");
        return dir;
    }

    private NestedCgroup nested(long ownOomKills) throws IOException {
        Path memory = group("memory");
        Path pids = group("pids");
        Files.writeString(memory.resolve("memory.oom_control"), "oom_kill_disable 0\nunder_oom 0\noom_kill " + ownOomKills + "\n");
        Files.writeString(memory.resolve("memory.failcnt"), "0\n");
        Own own = new Own(List.of(memory.resolve("cgroup.procs"), pids.resolve("cgroup.procs")), List.of(10L, 11L),
                ownOomKills);
        return new NestedCgroup(own, "/agentkernel/ak.1-7", root, true);
    }

    @Test
    void theProcessesOfTheGroupsBelowAreTheSandboxsToo() throws IOException {
        NestedCgroup cgroup = nested(0);
        Files.writeString(group("pids", "libpod-c1").resolve("cgroup.procs"), "20\n21\n");
        Files.writeString(group("pids", "conmon").resolve("cgroup.procs"), "30\n");
        Files.writeString(group("memory", "libpod-c1").resolve("cgroup.procs"), "20\n21\n");
        assertThat(cgroup.pids()).containsExactlyInAnyOrder(10L, 11L, 20L, 21L, 30L);
    }

    @Test
    void anOomKillBelowCountsAndIsRememberedAfterTheGroupBelowWentAway() throws IOException {
        NestedCgroup cgroup = nested(1);
        Path container = group("memory", "libpod-c1");
        Files.writeString(container.resolve("memory.oom_control"), "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n");
        assertThat(cgroup.oomKillCount()).isEqualTo(3);
        assertThat(cgroup.oomKilled()).isTrue();
        Files.delete(container.resolve("memory.oom_control"));
        Files.delete(container.resolve("cgroup.procs"));
        Files.delete(container);
        assertThat(cgroup.oomKillCount()).as("the engine removed the container's group").isEqualTo(3);
    }

    @Test
    void withoutGroupsBelowOnlyTheSandboxsOwnAreLookedAt() throws IOException {
        nested(0);
        Files.writeString(group("pids", "libpod-c1").resolve("cgroup.procs"), "20\n");
        Own own = new Own(List.of(group("memory").resolve("cgroup.procs")), List.of(10L), 1);
        NestedCgroup cgroup = new NestedCgroup(own, "/agentkernel/ak.1-7", root, false);
        assertThat(cgroup.pids()).containsExactly(10L);
        assertThat(cgroup.oomKillCount()).isEqualTo(1);
    }

    @Test
    void withoutAnOomKillOrAFailedChargeThereIsNone() throws IOException {
        NestedCgroup cgroup = nested(0);
        group("memory", "libpod-c1");
        assertThat(cgroup.oomKillCount()).isZero();
        assertThat(cgroup.oomKilled()).as("no failed charge: the kernel log is not read").isFalse();
    }
}
