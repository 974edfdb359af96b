package dev.agentkernel.core.cgroup;

import static dev.agentkernel.core.cgroup.FakeCgroupTree.DEAD_PID;
import static dev.agentkernel.core.cgroup.FakeCgroupTree.read;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentkernel.model.AgentKernelException;
import dev.agentkernel.model.ResourceLimits;
import dev.agentkernel.model.SandboxFailureException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CgroupV1DriverTest {

    private static final ResourceLimits LIMITS = new ResourceLimits(256, 0.5, 64, 32);
    private static final long SELF = ProcessHandle.current().pid();

    @TempDir
    Path tmp;
    FakeCgroupTree tree;
    CgroupDriver driver;

    @BeforeEach
    void setUp() {
        tree = new FakeCgroupTree(tmp).v1();
        driver = CgroupDriver.detect(tree.root).driver();
    }

    private Path group(String controller, String name) {
        return tree.root.resolve(controller).resolve(CgroupDriver.PARENT).resolve(name);
    }

    private boolean exists(Path path) {
        return Files.exists(path, LinkOption.NOFOLLOW_LINKS);
    }

    @Test
    void createWritesTheLimitsOfEveryController() {
        tree.v1Groups("g", true);

        SandboxCgroup cg = driver.create("g", LIMITS);

        long bytes = 256L * 1024 * 1024;
        assertThat(read(tree.v1Backing("memory", "g").resolve("memory.limit_in_bytes"))).isEqualTo(Long.toString(bytes));
        assertThat(read(tree.v1Backing("memory", "g").resolve("memory.memsw.limit_in_bytes")))
                .as("memory plus swap equal to memory: no swap").isEqualTo(Long.toString(bytes));
        assertThat(read(tree.v1Backing("pids", "g").resolve("pids.max"))).isEqualTo("64");
        assertThat(read(tree.v1Backing("cpu", "g").resolve("cpu.cfs_period_us")))
                .as("the kernel's default period, not written again").isEmpty();
        assertThat(read(tree.v1Backing("cpu", "g").resolve("cpu.cfs_quota_us"))).isEqualTo("50000");
        assertThat(cg.name()).isEqualTo("g");
    }

    @Test
    void aGroupWithProcessesInItIsAnotherSandboxsAndIsNotJoined() throws Exception {
        tree.v1Groups("g", true);
        Files.writeString(tree.v1Backing("memory", "g").resolve("cgroup.procs"), "4242\n");

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> driver.create("g", LIMITS))
                .isInstanceOf(dev.agentkernel.model.SandboxFailureException.class)
                .hasMessageContaining("another sandbox's");
        assertThat(read(tree.v1Backing("memory", "g").resolve("cgroup.procs"))).as("its processes untouched")
                .isEqualTo("4242\n");
    }

    @Test
    void aHugeMemoryLimitIsNeverWrittenAsASmallerOne() {
        tree.v1Groups("g", true);
        long mb = (1L << 44) + 16;

        try {
            driver.create("g", new ResourceLimits(mb, 1, 64, 64));
        } catch (AgentKernelException refused) {
            return; // refusing is fine
        }
        for (String file : List.of("memory.limit_in_bytes", "memory.memsw.limit_in_bytes")) {
            String written = read(tree.v1Backing("memory", "g").resolve(file));
            assertThat(new BigInteger(written).compareTo(BigInteger.valueOf(mb).shiftLeft(20)) >= 0
                    || written.equals("-1")).as("%s = %s for a limit of %d MB", file, written, mb).isTrue();
        }
    }

    @Test
    void aProcessJoinsEveryControllersGroup() {
        tree.v1Groups("g", false);

        SandboxCgroup cg = driver.create("g", LIMITS);

        assertThat(cg.procsFiles()).containsExactly(group("memory", "g").resolve("cgroup.procs"),
                group("pids", "g").resolve("cgroup.procs"), group("cpu", "g").resolve("cgroup.procs"));
    }

    @Test
    void memswIsOnlyWrittenWhereTheKernelHasSwapAccounting() {
        tree.v1Groups("g", false);

        driver.create("g", new ResourceLimits(1024, 2, 512, 64));

        assertThat(tree.v1Backing("memory", "g").resolve("memory.memsw.limit_in_bytes")).doesNotExist();
        assertThat(read(tree.v1Backing("memory", "g").resolve("memory.limit_in_bytes"))).isEqualTo("1073741824");
        assertThat(read(tree.v1Backing("cpu", "g").resolve("cpu.cfs_quota_us"))).isEqualTo("200000");
        assertThat(read(tree.v1Backing("pids", "g").resolve("pids.max"))).isEqualTo("512");
    }

    @Test
    void aFailureInTheFirstControllerLeavesNothingBehind() {
        assertThatThrownBy(() -> driver.create("g", LIMITS))
                .isInstanceOf(SandboxFailureException.class)
                .hasMessageContaining("memory.limit_in_bytes");

        for (String c : List.of("memory", "pids", "cpu")) {
            assertThat(exists(group(c, "g"))).as(c).isFalse();
        }
    }

    @Test
    void aFailureInALaterControllerRemovesTheGroupsAlreadyMade() {
        tree.v1Group("memory", "g", "memory.limit_in_bytes", "memory.oom_control");
        tree.v1Group("pids", "g", "pids.max");
        // the cpu group gets no control files: writing the CFS quota fails

        assertThatThrownBy(() -> driver.create("g", LIMITS))
                .isInstanceOf(SandboxFailureException.class)
                .hasMessageContaining("cannot write '50000' to " + group("cpu", "g").resolve("cpu.cfs_quota_us"));

        for (String c : List.of("memory", "pids", "cpu")) {
            assertThat(exists(group(c, "g"))).as(c).isFalse();
        }
    }

    @Test
    void aGroupThatCannotBeMadeIsReportedAndTheOthersRemoved() throws Exception {
        tree.v1Group("memory", "g", "memory.limit_in_bytes");
        // a file where the pids parent group should be: mkdir fails
        Path pidsParent = tree.root.resolve("pids").resolve(CgroupDriver.PARENT);
        Files.delete(pidsParent);
        Files.writeString(pidsParent, "");

        assertThatThrownBy(() -> driver.create("g", LIMITS))
                .isInstanceOf(SandboxFailureException.class)
                .hasMessageStartingWith("cannot create control group " + pidsParent.resolve("g"));

        assertThat(exists(group("memory", "g"))).isFalse();
        assertThat(exists(group("cpu", "g"))).isFalse();
    }

    @Test
    void oomKilledReadsTheOomKillCounterOfOomControl() {
        tree.v1Groups("g", false);
        SandboxCgroup cg = driver.create("g", LIMITS);
        Path oomControl = tree.v1Backing("memory", "g").resolve("memory.oom_control");

        FakeCgroupTree.file(oomControl, "oom_kill_disable 0\nunder_oom 0\n");
        assertThat(cg.oomKilled()).as("old kernel without the counter").isFalse();
        FakeCgroupTree.file(oomControl, "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n");
        assertThat(cg.oomKilled()).isFalse();
        FakeCgroupTree.file(oomControl, "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n");
        assertThat(cg.oomKilled()).isTrue();
    }

    @Test
    void memoryPeakIsReadFromMaxUsage() {
        tree.v1Groups("g", false);
        SandboxCgroup cg = driver.create("g", LIMITS);

        FakeCgroupTree.file(tree.v1Backing("memory", "g").resolve("memory.max_usage_in_bytes"), "4096\n");

        assertThat(cg.memoryPeakBytes()).hasValue(4096);
    }

    @Test
    void pidsAreReadFromThePidsGroup() {
        tree.v1Groups("g", false);
        SandboxCgroup cg = driver.create("g", LIMITS);

        FakeCgroupTree.file(tree.v1Backing("memory", "g").resolve("cgroup.procs"), "99\n");
        FakeCgroupTree.file(tree.v1Backing("pids", "g").resolve("cgroup.procs"), "7\n8\n");

        assertThat(cg.pids()).containsExactly(7L, 8L);
    }

    @Test
    void destroyRemovesTheGroupOfEveryController() {
        tree.v1Groups("g", true);
        SandboxCgroup cg = driver.create("g", LIMITS);

        assertThat(cg.destroy(Duration.ofSeconds(1))).isTrue();

        for (String c : List.of("memory", "pids", "cpu")) {
            assertThat(exists(group(c, "g"))).as(c).isFalse();
        }
    }

    @Test
    void killAllKillsEveryProcessOfThePidsGroup() throws Exception {
        tree.v1Groups("g", false);
        SandboxCgroup cg = driver.create("g", LIMITS);
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        Path procs = tree.v1Backing("pids", "g").resolve("cgroup.procs");
        try {
            FakeCgroupTree.file(procs, sleeper.pid() + "\n");

            cg.killAll();

            assertThat(sleeper.waitFor(5, TimeUnit.SECONDS)).isTrue();
            assertThat(sleeper.exitValue()).isEqualTo(128 + 9);
        } finally {
            sleeper.destroyForcibly();
            FakeCgroupTree.file(procs, "");
        }
    }

    @Test
    void onAHybridHostTheSandboxAlsoGetsAUnifiedKillGroup() {
        FakeCgroupTree.file(tree.root.resolve("unified/cgroup.kill"), "");
        CgroupDriver hybrid = CgroupDriver.detect(tree.root).driver();
        tree.v1Groups("g", false);
        Path unified = tree.root.resolve("unified").resolve(CgroupDriver.PARENT).resolve("g");

        SandboxCgroup cg = hybrid.create("g", LIMITS);

        assertThat(unified).isDirectory();
        assertThat(cg.procsFiles()).hasSize(4).last().isEqualTo(unified.resolve("cgroup.procs"));
        assertThat(cg.destroy(Duration.ofSeconds(1))).isTrue();
        assertThat(unified).doesNotExist();
    }

    @Test
    void reapStaleRemovesTheGroupsOfDeadOwnersInEveryController() throws Exception {
        String dead = DEAD_PID + "-1";
        String mine = SELF + "-1";
        for (String c : List.of("memory", "pids", "cpu")) {
            Files.createDirectories(group(c, dead));
            Files.createDirectories(group(c, mine));
        }
        // an orphan left in one controller only (its pids group is already gone)
        Files.createDirectories(group("memory", DEAD_PID + "-2"));
        Files.createDirectories(group("pids", "not-a-pid"));

        int reaped = driver.reapStale();

        assertThat(reaped).isEqualTo(1);
        for (String c : List.of("memory", "pids", "cpu")) {
            assertThat(group(c, dead)).as(c).doesNotExist();
            assertThat(group(c, mine)).as(c).isDirectory();
        }
        assertThat(group("memory", DEAD_PID + "-2")).doesNotExist();
        assertThat(group("pids", "not-a-pid")).isDirectory();
    }
}
