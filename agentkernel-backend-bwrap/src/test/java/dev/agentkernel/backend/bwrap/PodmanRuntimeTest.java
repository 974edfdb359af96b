package dev.agentkernel.backend.bwrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code podman run} that {@link OciRuntime.Podman} makes of a sandbox's OCI spec. */
class PodmanRuntimeTest {

    private static final Path BUNDLE = Path.of("/run/agentkernel/oci-podman/ak.1-7");
    private static final OciRuntime.Podman PODMAN = new OciRuntime.Podman(Path.of("/usr/bin/podman"));

    private static OciSpec spec(OciSpec.Namespace network, boolean readOnly, List<OciSpec.Mount> extra) {
        List<OciSpec.Mount> mounts = new java.util.ArrayList<>(List.of(
                new OciSpec.Mount("/proc", "proc", "proc", List.of("nosuid")),
                new OciSpec.Mount("/dev", "tmpfs", "tmpfs", List.of("nosuid")),
                new OciSpec.Mount("/dev/pts", "devpts", "devpts", List.of("newinstance")),
                new OciSpec.Mount("/dev/shm", "tmpfs", "shm", List.of("nosuid")),
                new OciSpec.Mount("/tmp", "tmpfs", "tmpfs", List.of("nosuid", "nodev", "mode=1777", "size=64m")),
                new OciSpec.Mount("/.ak", "bind", "/stage/3", List.of("rbind", "ro", "nosuid", "nodev"))));
        mounts.addAll(extra);
        List<OciSpec.IdMapping> ids = List.of(new OciSpec.IdMapping(0, 1_000_000, 65536));
        List<String> caps = List.of("CAP_CHOWN", "CAP_KILL");
        return new OciSpec(OciSpec.VERSION,
                new OciSpec.Process(false, new OciSpec.User(0, 0), List.of("/.ak/agent", "--seccomp", "/.ak/filter"),
                        List.of("HOME=/workspace", "A=b c"), "/workspace", new OciSpec.Capabilities(caps, caps, caps), true),
                new OciSpec.Root("/stage/root", readOnly), "box",
                mounts,
                new OciSpec.Linux(List.of(new OciSpec.Namespace("pid"), network, new OciSpec.Namespace("user")), ids, ids,
                        "/agentkernel/ak.1-7", null, List.of("/proc/kcore", "/proc/acpi"), List.of("/proc/sys")));
    }

    private static List<String> run(OciSpec spec) {
        return PODMAN.run(Path.of("/state"), BUNDLE, "ak.1-7", false, spec);
    }

    /** Whether {@code argv} has {@code option} immediately followed by {@code value}. */
    private static boolean has(List<String> argv, String option, String value) {
        return Collections.indexOfSubList(argv, List.of(option, value)) >= 0;
    }

    @Test
    void podmansStateIsPrivateToTheSandboxAndRuncRunsTheContainer() {
        List<String> argv = run(spec(new OciSpec.Namespace("network"), false, List.of()));
        assertThat(argv.getFirst()).isEqualTo("/usr/bin/podman");
        assertThat(has(argv, "--root", BUNDLE + "/storage")).isTrue();
        assertThat(has(argv, "--runroot", "/run/akp/ak.1-7")).isTrue();
        assertThat(has(argv, "--tmpdir", BUNDLE + "/tmp")).isTrue();
        assertThat(has(argv, "--runtime", "runc")).isTrue();
        assertThat(has(argv, "--runtime-flag", "root=" + BUNDLE + "/runc")).isTrue();
        assertThat(has(argv, "--cgroup-manager", "cgroupfs")).isTrue();
        assertThat(has(argv, "--events-backend", "none")).isTrue();
        assertThat(PODMAN.environment(BUNDLE)).containsEntry("CONTAINERS_CONF", BUNDLE + "/containers.conf");
        assertThat(PodmanCommandLine.CONTAINERS_CONF).contains("lock_type = \"file\"");
        int run = argv.indexOf("run");
        assertThat(argv.subList(run, run + 2)).as("no --rm: podman's state goes with the bundle")
                .containsExactly("run", "-i");
        assertThat(has(argv, "--log-driver", "passthrough")).isTrue();
    }

    @Test
    void theSpecBecomesPodmansOptions() {
        List<String> argv = run(spec(new OciSpec.Namespace("network"), false, List.of(
                new OciSpec.Mount("/data", "bind", "/stage/4", List.of("rbind", "nosuid", "nodev")))));
        assertThat(has(argv, "--uidmap", "0:1000000:65536")).isTrue();
        assertThat(has(argv, "--gidmap", "0:1000000:65536")).isTrue();
        assertThat(has(argv, "--user", "0:0")).isTrue();
        assertThat(has(argv, "--workdir", "/workspace")).isTrue();
        assertThat(has(argv, "--hostname", "box")).isTrue();
        assertThat(has(argv, "--env", "A=b c")).isTrue();
        assertThat(has(argv, "--cap-drop", "all")).isTrue();
        assertThat(has(argv, "--cap-add", "CAP_CHOWN")).isTrue();
        assertThat(has(argv, "--cap-add", "CAP_KILL")).isTrue();
        assertThat(has(argv, "--security-opt", "no-new-privileges")).isTrue();
        assertThat(has(argv, "--security-opt", "mask=/proc/kcore:/proc/acpi")).isTrue();
        assertThat(has(argv, "--cgroup-parent", "/agentkernel/ak.1-7")).isTrue();
        assertThat(has(argv, "--cgroupns", "private")).isTrue();
        assertThat(has(argv, "--ulimit", "nofile=1024:1024")).isTrue();
        assertThat(has(argv, "--ulimit", "nproc=4096:4096")).isTrue();
        assertThat(has(argv, "--tmpfs", "/tmp:nosuid,nodev,mode=1777,size=64m")).isTrue();
        assertThat(has(argv, "-v", "/stage/3:/.ak:rbind,ro,nosuid,nodev")).isTrue();
        assertThat(has(argv, "-v", "/stage/4:/data:rbind,nosuid,nodev")).isTrue();
        assertThat(argv).contains("--no-hosts").doesNotContain("/proc:nosuid").noneMatch(a -> a.startsWith("/dev"));
        assertThat(has(argv, "--network", "none")).as("a new network namespace: loopback only").isTrue();
        assertThat(argv).doesNotContain("--dns").doesNotContain("--read-only");
        int rootfs = argv.indexOf("--rootfs");
        assertThat(argv.subList(rootfs, argv.size()))
                .containsExactly("--rootfs", "/stage/root", "/.ak/agent", "--seccomp", "/.ak/filter");
    }

    @Test
    void theBridgeIsTheLaunchersNetworkNamespaceAndPodmansResolverIsLeftOut() {
        List<String> argv = run(spec(new OciSpec.Namespace("network", "/proc/self/ns/net"), false, List.of()));
        assertThat(has(argv, "--network", "ns:/proc/self/ns/net")).isTrue();
        assertThat(has(argv, "--dns", "none")).isTrue();
    }

    @Test
    void aReadOnlyRootIsPodmansToMakeReadOnly() {
        assertThat(PODMAN.writesIntoRootFirst()).isTrue();
        List<String> argv = run(spec(new OciSpec.Namespace("network"), true, List.of()));
        assertThat(argv).contains("--read-only", "--read-only-tmpfs=false");
    }

    @Test
    void ofTwoMountsAtOnePlaceOnlyTheLaterIsGivenAsARuntimeWouldShowIt() {
        List<String> argv = run(spec(new OciSpec.Namespace("network"), false, List.of(
                new OciSpec.Mount("/tmp", "bind", "/stage/5", List.of("rbind", "nosuid", "nodev")))));
        assertThat(argv).noneMatch(a -> a.startsWith("/tmp:"));
        assertThat(has(argv, "-v", "/stage/5:/tmp:rbind,nosuid,nodev")).isTrue();
    }

    @Test
    void aMountPodmanCannotTakeIsRefused() {
        OciSpec spec = spec(new OciSpec.Namespace("network"), false,
                List.of(new OciSpec.Mount("/x", "overlay", "overlay", List.of())));
        assertThatThrownBy(() -> run(spec)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("overlay");
    }

    @Test
    void podmansRunDirectoriesAreOutsideTheBundles() {
        assertThat(PODMAN.sandboxDirectories()).contains(Path.of("/run/akp"));
        assertThat(PODMAN.nestsCgroups()).isTrue();
        assertThat(new OciRuntime.Runc(Path.of("/usr/sbin/runc")).nestsCgroups()).isFalse();
        assertThat(new OciRuntime.Runc(Path.of("/usr/sbin/runc")).sandboxDirectories()).isEmpty();
    }
}
