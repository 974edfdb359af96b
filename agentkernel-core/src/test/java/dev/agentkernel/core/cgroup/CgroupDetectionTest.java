package dev.agentkernel.core.cgroup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.agentkernel.core.backend.Availability;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CgroupDetectionTest {

    @TempDir
    Path tmp;

    private static Availability.Unavailable unavailable(CgroupDriver.Detection detection) {
        assertThat(detection.driver()).isNull();
        assertThat(detection.availability()).isInstanceOf(Availability.Unavailable.class);
        return (Availability.Unavailable) detection.availability();
    }

    @Test
    void anEmptyRootHasNoCgroups() {
        FakeCgroupTree tree = new FakeCgroupTree(tmp);

        Availability.Unavailable u = unavailable(CgroupDriver.detect(tree.root));

        assertThat(u.reason()).isEqualTo("no cgroup hierarchy found under " + tree.root);
        assertThat(u.fix()).contains("mount cgroup2 at " + tree.root);
    }

    @Test
    void aRootThatDoesNotExistHasNoCgroups() {
        Path missing = tmp.resolve("missing");
        assertThat(unavailable(CgroupDriver.detect(missing)).reason()).contains(missing.toString());
    }

    @Test
    void v2WithMemoryPidsAndCpuIsDetected() {
        FakeCgroupTree tree = new FakeCgroupTree(tmp).v2("cpuset cpu io memory hugetlb pids rdma misc");

        CgroupDriver.Detection detection = CgroupDriver.detect(tree.root);

        assertThat(detection.availability().isAvailable()).isTrue();
        assertThat(detection.driver()).isInstanceOf(CgroupV2Driver.class);
        assertThat(detection.driver().describe()).isEqualTo("cgroup v2");
    }

    @Test
    void v2WithoutThePidsControllerIsUnavailableAndSaysWhich() {
        FakeCgroupTree tree = new FakeCgroupTree(tmp).v2("cpuset cpu io memory");

        Availability.Unavailable u = unavailable(CgroupDriver.detect(tree.root));

        assertThat(u.reason()).isEqualTo("cgroup v2 controller 'pids' is not available at " + tree.root);
        assertThat(u.fix()).contains("subtree_control");
    }

    @Test
    void v2ControllerNamesMustMatchWholeWords() {
        // "cpuset" must not count as "cpu", "hugetlb_memory" not as "memory"
        FakeCgroupTree tree = new FakeCgroupTree(tmp).v2("cpuset hugetlb_memory pids memory");

        assertThat(unavailable(CgroupDriver.detect(tree.root)).reason()).contains("'cpu'");
    }

    @Test
    void v1WithMemoryPidsAndCpuIsDetected() {
        FakeCgroupTree tree = new FakeCgroupTree(tmp).v1();

        CgroupDriver.Detection detection = CgroupDriver.detect(tree.root);

        assertThat(detection.availability().isAvailable()).isTrue();
        assertThat(detection.driver()).isInstanceOf(CgroupV1Driver.class);
        assertThat(detection.driver().describe()).isEqualTo("cgroup v1 (memory, pids, cpu)");
    }

    @Test
    void v1OnAHybridHostWithAUnifiedKillFileUsesIt() {
        FakeCgroupTree tree = new FakeCgroupTree(tmp).v1();
        FakeCgroupTree.file(tree.root.resolve("unified/cgroup.kill"), "");

        CgroupDriver.Detection detection = CgroupDriver.detect(tree.root);

        assertThat(detection.driver().describe()).isEqualTo("cgroup v1 (memory, pids, cpu; v2 kill group)");
    }

    @Test
    void v1WithoutTheCpuControllerIsUnavailableAndSaysWhich() {
        FakeCgroupTree tree = new FakeCgroupTree(tmp);
        FakeCgroupTree.file(tree.root.resolve("memory/cgroup.procs"), "");
        FakeCgroupTree.file(tree.root.resolve("pids/cgroup.procs"), "");

        Availability.Unavailable u = unavailable(CgroupDriver.detect(tree.root));

        assertThat(u.reason()).isEqualTo("cgroup v1 controller 'cpu' is not mounted at " + tree.root.resolve("cpu"));
    }

    @Test
    void v2ThatCannotBeWrittenIsUnavailableWithAFix() throws Exception {
        assumeFalse(isRoot(), "root can write anywhere");
        FakeCgroupTree tree = new FakeCgroupTree(tmp).v2("cpu memory pids");
        Files.setPosixFilePermissions(tree.root, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            Availability.Unavailable u = unavailable(CgroupDriver.detect(tree.root));
            assertThat(u.reason()).isEqualTo("cannot create cgroups under " + tree.root + " (permission denied)");
            assertThat(u.fix()).isEqualTo("run as root to enforce resource limits");
        } finally {
            Files.setPosixFilePermissions(tree.root, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    private static boolean isRoot() throws Exception {
        return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
    }
}
