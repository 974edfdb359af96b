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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CgroupV2DriverTest {

    private static final ResourceLimits LIMITS = new ResourceLimits(512, 1.5, 128, 64);
    private static final long SELF = ProcessHandle.current().pid();

    @TempDir
    Path tmp;
    FakeCgroupTree tree;
    CgroupDriver driver;
    Path parent;

    @BeforeEach
    void setUp() {
        tree = new FakeCgroupTree(tmp).v2("cpuset cpu io memory pids").v2Parent("");
        driver = CgroupDriver.detect(tree.root).driver();
        parent = tree.root.resolve(CgroupDriver.PARENT);
    }

    @Test
    void createWritesTheLimits() {
        Path files = tree.v2Group(SELF + "-1");

        SandboxCgroup group = driver.create(SELF + "-1", LIMITS);

        assertThat(group.name()).isEqualTo(SELF + "-1");
        assertThat(read(files.resolve("memory.max"))).isEqualTo(Long.toString(512L * 1024 * 1024));
        assertThat(read(files.resolve("memory.swap.max"))).isEqualTo("0");
        assertThat(read(files.resolve("pids.max"))).isEqualTo("128");
        assertThat(read(files.resolve("cpu.max"))).isEqualTo("150000 100000");
        assertThat(group.procsFiles()).containsExactly(parent.resolve(SELF + "-1").resolve("cgroup.procs"));
    }

    @Test
    void aHugeMemoryLimitIsNeverWrittenAsASmallerOne() {
        Path files = tree.v2Group("g");
        long mb = (1L << 44) + 16;

        try {
            driver.create("g", new ResourceLimits(mb, 1, 64, 64));
        } catch (AgentKernelException refused) {
            return; // refusing is fine
        }
        String written = read(files.resolve("memory.max"));
        assertThat(written.equals("max") || new BigInteger(written).compareTo(BigInteger.valueOf(mb).shiftLeft(20)) >= 0)
                .as("memory.max = %s for a limit of %d MB", written, mb).isTrue();
    }

    @Test
    void aFractionalCpuLimitBecomesAQuota() {
        Path files = tree.v2Group("g");

        driver.create("g", new ResourceLimits(64, 0.25, 16, 8));

        assertThat(read(files.resolve("cpu.max"))).isEqualTo("25000 100000");
        assertThat(read(files.resolve("memory.max"))).isEqualTo("67108864");
        assertThat(read(files.resolve("pids.max"))).isEqualTo("16");
    }

    @Test
    void createEnablesTheControllersForTheSubtrees() {
        tree.v2Group("g");

        driver.create("g", LIMITS);

        assertThat(read(tree.root.resolve("cgroup.subtree_control"))).isEqualTo("+memory +pids +cpu");
        assertThat(read(parent.resolve("cgroup.subtree_control"))).isEqualTo("+memory +pids +cpu");
    }

    @Test
    void controllersAlreadyEnabledAreNotWrittenAgain() {
        FakeCgroupTree.file(tree.root.resolve("cgroup.subtree_control"), "cpuset cpu io memory pids\n");
        FakeCgroupTree.file(parent.resolve("cgroup.subtree_control"), "cpu memory pids\n");
        tree.v2Group("g");

        driver.create("g", LIMITS);

        assertThat(read(tree.root.resolve("cgroup.subtree_control"))).isEqualTo("cpuset cpu io memory pids\n");
        assertThat(read(parent.resolve("cgroup.subtree_control"))).isEqualTo("cpu memory pids\n");
    }

    @Test
    void swapIsOnlyLimitedWhereTheKernelHasSwapAccounting() throws Exception {
        Path files = tree.v2Group("g");
        Files.delete(files.resolve("memory.swap.max"));
        Files.delete(tree.root.resolve(CgroupDriver.PARENT).resolve("memory.swap.max"));

        driver.create("g", LIMITS);

        assertThat(files.resolve("memory.swap.max")).doesNotExist();
        assertThat(read(files.resolve("memory.max"))).isEqualTo("536870912");
    }

    @Test
    void aGroupThatCannotBeConfiguredIsRemovedAgain() {
        // mkdir makes a plain empty directory without control files: the first write fails
        assertThatThrownBy(() -> driver.create("g", LIMITS))
                .isInstanceOf(SandboxFailureException.class)
                .hasMessageContaining("cannot write '536870912' to " + parent.resolve("g").resolve("memory.max"));

        assertThat(parent.resolve("g")).doesNotExist();
    }

    @Test
    void aFailureAfterSomeLimitsWereWrittenLeavesNothingBehind() throws Exception {
        Path files = tree.v2Group("g");
        Files.delete(files.resolve("cpu.max"));

        assertThatThrownBy(() -> driver.create("g", LIMITS))
                .isInstanceOf(SandboxFailureException.class)
                .hasMessageContaining("cpu.max");

        assertThat(Files.exists(parent.resolve("g"), LinkOption.NOFOLLOW_LINKS)).isFalse();
    }

    @Test
    void aRootWhoseControllersCannotBeEnabledFailsBeforeMakingAGroup() throws Exception {
        Files.delete(tree.root.resolve("cgroup.subtree_control"));

        assertThatThrownBy(() -> driver.create("g", LIMITS)).isInstanceOf(SandboxFailureException.class)
                .hasMessageContaining("cgroup.subtree_control");

        assertThat(parent.resolve("g")).doesNotExist();
    }

    @Test
    void oomKilledReadsTheOomKillCounterOfMemoryEvents() {
        Path files = tree.v2Group("g");
        SandboxCgroup group = driver.create("g", LIMITS);

        assertThat(group.oomKilled()).isFalse();
        FakeCgroupTree.file(files.resolve("memory.events"), "low 0\nhigh 0\nmax 3\noom 1\noom_kill 0\noom_group_kill 0\n");
        assertThat(group.oomKilled()).as("oom without a kill").isFalse();
        FakeCgroupTree.file(files.resolve("memory.events"), "low 0\nhigh 0\nmax 9\noom 1\noom_kill 1\noom_group_kill 0\n");
        assertThat(group.oomKilled()).isTrue();
    }

    @Test
    void memoryPeakIsReadFromMemoryPeak() {
        Path files = tree.v2Group("g");
        SandboxCgroup group = driver.create("g", LIMITS);

        assertThat(group.memoryPeakBytes()).isEmpty();
        FakeCgroupTree.file(files.resolve("memory.peak"), "1048576\n");
        assertThat(group.memoryPeakBytes()).hasValue(1048576);
    }

    @Test
    void pidsAreReadFromCgroupProcs() {
        Path files = tree.v2Group("g");
        SandboxCgroup group = driver.create("g", LIMITS);

        assertThat(group.pids()).isEmpty();
        FakeCgroupTree.file(files.resolve("cgroup.procs"), "12\n345\n");
        assertThat(group.pids()).containsExactly(12L, 345L);
    }

    @Test
    void destroyRemovesAnEmptyGroup() {
        tree.v2Group("g");
        SandboxCgroup group = driver.create("g", LIMITS);

        assertThat(group.destroy(Duration.ofSeconds(1))).isTrue();

        assertThat(Files.exists(parent.resolve("g"), LinkOption.NOFOLLOW_LINKS)).isFalse();
    }

    @Test
    void destroyReportsAGroupThatCannotBeRemoved() throws Exception {
        Path dir = Files.createDirectories(parent.resolve("stuck"));
        for (String f : new String[] {"memory.max", "memory.swap.max", "pids.max", "cpu.max"}) {
            FakeCgroupTree.file(dir.resolve(f), "");
        }
        SandboxCgroup group = driver.create("stuck", LIMITS);

        // a plain directory with files cannot be removed: destroy must say so, not hang
        long start = System.nanoTime();
        assertThat(group.destroy(Duration.ofMillis(100))).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThat(dir).isDirectory();
    }

    @Test
    void killAllWritesCgroupKillAndKillsEveryListedProcess() throws Exception {
        Path files = tree.v2Group("g");
        SandboxCgroup group = driver.create("g", LIMITS);
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        try {
            FakeCgroupTree.file(files.resolve("cgroup.procs"), sleeper.pid() + "\n");

            group.killAll();

            assertThat(read(files.resolve("cgroup.kill"))).isEqualTo("1");
            assertThat(sleeper.waitFor(5, TimeUnit.SECONDS)).isTrue();
            assertThat(sleeper.exitValue()).isEqualTo(128 + 9);
        } finally {
            sleeper.destroyForcibly();
            FakeCgroupTree.file(files.resolve("cgroup.procs"), "");
        }
        assertThat(group.destroy(Duration.ofSeconds(1))).isTrue();
    }

    @Test
    void reapStaleRemovesGroupsOfDeadOwnersOnly() throws Exception {
        tree.v2Group(DEAD_PID + "-1");
        Files.createDirectories(parent.resolve(DEAD_PID + "-2"));
        tree.v2Group(SELF + "-1");
        Files.createDirectories(parent.resolve("system-1"));
        Files.createDirectories(parent.resolve("noowner"));
        String ours = dev.agentkernel.core.host.OwnerTag.of("1");
        tree.v2Group(ours);
        String earlierBoot = ours.replaceFirst("\\.[0-9a-f]{8}-1$", ".00000000-1");
        tree.v2Group(earlierBoot);

        int reaped = driver.reapStale();

        assertThat(reaped).isEqualTo(3);
        assertThat(parent.resolve(ours)).isDirectory();
        assertThat(Files.exists(parent.resolve(earlierBoot), LinkOption.NOFOLLOW_LINKS)).isFalse();
        assertThat(Files.exists(parent.resolve(DEAD_PID + "-1"), LinkOption.NOFOLLOW_LINKS)).isFalse();
        assertThat(parent.resolve(DEAD_PID + "-2")).doesNotExist();
        assertThat(parent.resolve(SELF + "-1")).isDirectory();
        assertThat(parent.resolve("system-1")).isDirectory();
        assertThat(parent.resolve("noowner")).isDirectory();
    }

    @Test
    void reapStaleWithoutAParentGroupReapsNothing() throws Exception {
        Files.delete(parent.resolve("cgroup.procs"));
        Files.delete(parent.resolve("cgroup.subtree_control"));
        Files.delete(parent);

        assertThat(driver.reapStale()).isZero();
    }
}
