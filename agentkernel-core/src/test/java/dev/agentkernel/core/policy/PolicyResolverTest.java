package dev.agentkernel.core.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentkernel.core.host.HostContext;
import dev.agentkernel.model.InvalidRequestException;
import dev.agentkernel.model.Mount;
import dev.agentkernel.model.NetworkMode;
import dev.agentkernel.model.Profile;
import dev.agentkernel.model.ResourceLimits;
import dev.agentkernel.model.SandboxRequest;
import dev.agentkernel.model.RootFs;
import dev.agentkernel.model.SandboxSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class PolicyResolverTest {

    private static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    @TempDir
    Path tmp;

    private HostContext host(int cpus, Map<String, String> env) {
        return new HostContext(tmp.resolve("state"), tmp.resolve("run"), false, cpus, env);
    }

    private SandboxSpec resolve(SandboxRequest request) {
        return new PolicyResolver(host(4, Map.of())).resolve(request);
    }

    private static SandboxRequest request(Profile profile) {
        return SandboxRequest.defaults().withProfile(profile);
    }

    @Test
    void theDefaultProfileIsModerate() {
        SandboxSpec spec = resolve(SandboxRequest.defaults());

        assertThat(spec.profile()).isEqualTo(Profile.MODERATE);
        assertThat(spec.image()).contains(PolicyResolver.BUILT_IN_DEFAULT_IMAGE);
    }

    @Test
    void theDefaultImageIsConfigurableAndEveryImageComesFromTheRootResolver() {
        List<String> asked = new java.util.ArrayList<>();
        RootResolver roots = (image, pull) -> {
            asked.add(image);
            return new RootFs.Host();
        };
        SandboxSpec configured = new PolicyResolver(host(4, Map.of(PolicyResolver.DEFAULT_IMAGE_ENV, "host")), true,
                roots).resolve(SandboxRequest.defaults());
        SandboxSpec named = new PolicyResolver(host(4, Map.of(PolicyResolver.DEFAULT_IMAGE_ENV, "host")), true,
                roots).resolve(SandboxRequest.defaults().withImage("python:3.12-alpine"));

        assertThat(configured.image()).contains("host");
        assertThat(named.image()).contains("python:3.12-alpine");
        assertThat(asked).containsExactly("host", "python:3.12-alpine");
    }

    @Test
    void theImageEnvAndWorkdirApplyUnderTheRequestsOwn() {
        RootFs.Image image = new RootFs.Image("docker.io/library/python:3.12", "sha256:" + "a".repeat(64),
                List.of(tmp.resolve("layer")), tmp.resolve("on"), tmp.resolve("off"),
                new RootFs.ImageSettings(Map.of("PATH", "/usr/local/bin:/usr/bin:/bin", "PYTHON_VERSION", "3.12.7",
                        "LANG", "C.UTF-8"), Optional.of("/app"), List.of(), List.of("python3")), Optional.empty());
        PolicyResolver resolver = new PolicyResolver(host(4, Map.of()), true, (name, pull) -> image);

        SandboxSpec plain = resolver.resolve(SandboxRequest.defaults().withImage("python:3.12"));
        SandboxSpec overridden = resolver.resolve(new SandboxRequest(Optional.empty(), Optional.of("python:3.12"),
                Optional.empty(), OptionalLong.empty(), OptionalDouble.empty(), Map.of("PYTHON_VERSION", "mine"),
                Optional.of("/workspace/src"), Optional.empty()));

        assertThat(plain.root()).isEqualTo(image);
        assertThat(plain.env()).containsEntry("PATH", "/usr/local/bin:/usr/bin:/bin")
                .containsEntry("PYTHON_VERSION", "3.12.7").containsEntry("HOME", "/workspace");
        assertThat(plain.workdir()).isEqualTo("/app");
        assertThat(overridden.env()).containsEntry("PYTHON_VERSION", "mine");
        assertThat(overridden.workdir()).isEqualTo("/workspace/src");
    }

    @Test
    void moderateHasNetworkButNoHostMountsNoHostEnvironmentAndAWritableRoot() {
        Map<String, String> hostEnv = Map.of("TERM", "xterm", "LANG", "de_DE.UTF-8", "SECRET_TOKEN", "t0p");
        SandboxSpec spec = new PolicyResolver(host(4, hostEnv)).resolve(request(Profile.MODERATE));

        assertThat(spec.network()).isEqualTo(NetworkMode.OUTBOUND);
        assertThat(spec.mounts()).isEmpty();
        assertThat(spec.env()).containsOnly(Map.entry("PATH", PATH), Map.entry("HOME", "/workspace"),
                Map.entry("LANG", "C.UTF-8"));
        assertThat(spec.readOnlyRoot()).isFalse();
        assertThat(spec.limits()).isEqualTo(new ResourceLimits(512, 1, 512, 256));
        assertThat(spec.workdir()).isEqualTo("/workspace");
    }

    @Test
    void restrictiveHasNoNetworkNoMountsAReadOnlyRootAndTighterLimits() {
        SandboxSpec spec = new PolicyResolver(host(4, Map.of("TERM", "xterm"))).resolve(request(Profile.RESTRICTIVE));

        assertThat(spec.network()).isEqualTo(NetworkMode.NONE);
        assertThat(spec.mounts()).isEmpty();
        assertThat(spec.env()).containsOnlyKeys("PATH", "HOME", "LANG");
        assertThat(spec.readOnlyRoot()).isTrue();
        assertThat(spec.limits()).isEqualTo(new ResourceLimits(256, 1, 128, 64));
    }

    @Test
    void permissiveMountsTheProjectReadWriteAtWorkspaceAndHomeReadOnlyAndPassesAFewVariables() throws Exception {
        Path project = Files.createDirectories(tmp.resolve("project"));
        Map<String, String> hostEnv = Map.of("TERM", "xterm-256color", "TZ", "Europe/Berlin", "LANG", "de_DE.UTF-8",
                "AWS_SECRET_ACCESS_KEY", "no", "HOME", "/root", "PATH", "/opt/evil/bin");
        SandboxSpec spec = new PolicyResolver(host(4, hostEnv))
                .resolve(request(Profile.PERMISSIVE).withProjectDir(project));

        assertThat(spec.network()).isEqualTo(NetworkMode.OUTBOUND);
        assertThat(spec.readOnlyRoot()).isFalse();
        assertThat(spec.limits()).isEqualTo(new ResourceLimits(1024, 1, 1024, 512));
        assertThat(spec.mounts()).contains(new Mount(project, "/workspace", false));
        Path home = Path.of(System.getProperty("user.home")).toAbsolutePath().normalize();
        if (Files.isDirectory(home)) {
            assertThat(spec.mounts()).containsExactly(new Mount(home, home.toString(), true),
                    new Mount(project, "/workspace", false));
        }
        assertThat(spec.env())
                .containsEntry("TERM", "xterm-256color")
                .containsEntry("TZ", "Europe/Berlin")
                .containsEntry("LANG", "de_DE.UTF-8")
                .containsEntry("PATH", PATH)
                .containsEntry("HOME", "/workspace")
                .doesNotContainKey("AWS_SECRET_ACCESS_KEY");
    }

    @Test
    void permissiveWithoutAProjectDirectoryMountsNothingAtWorkspace() {
        // A server resolves requests without a project directory: its own working directory must never show.
        SandboxSpec spec = resolve(request(Profile.PERMISSIVE));

        assertThat(spec.mounts()).noneMatch(m -> m.sandboxPath().equals("/workspace"));
        assertThat(spec.mounts()).noneMatch(m -> m.hostPath().equals(Path.of("").toAbsolutePath().normalize()));
    }

    @Test
    void permissiveNormalizesTheProjectDirectory() throws Exception {
        Path project = Files.createDirectories(tmp.resolve("a/b"));
        SandboxSpec spec = resolve(request(Profile.PERMISSIVE).withProjectDir(tmp.resolve("a/./c/../b")));

        assertThat(spec.mounts()).contains(new Mount(project, "/workspace", false));
    }

    @ParameterizedTest
    @EnumSource(Profile.class)
    void requestedEnvironmentWinsOverTheProfileDefaults(Profile profile) {
        SandboxRequest request = new SandboxRequest(Optional.of(profile), Optional.empty(), Optional.empty(),
                OptionalLong.empty(), OptionalDouble.empty(), Map.of("LANG", "en_US.UTF-8", "DEBUG", "1"),
                Optional.empty(), Optional.empty());

        SandboxSpec spec = new PolicyResolver(host(4, Map.of("LANG", "de_DE.UTF-8"))).resolve(request);

        assertThat(spec.env()).containsEntry("LANG", "en_US.UTF-8").containsEntry("DEBUG", "1")
                .containsEntry("PATH", PATH);
    }

    @Test
    void requestedWorkdirWins() {
        SandboxRequest request = new SandboxRequest(Optional.empty(), Optional.empty(), Optional.empty(),
                OptionalLong.empty(), OptionalDouble.empty(), Map.of(), Optional.of("/tmp/work"), Optional.empty());

        assertThat(resolve(request).workdir()).isEqualTo("/tmp/work");
    }

    @Test
    void networkCanBeSwitchedOff() {
        assertThat(resolve(request(Profile.MODERATE).withNetwork(false)).network()).isEqualTo(NetworkMode.NONE);
        assertThat(resolve(request(Profile.PERMISSIVE).withNetwork(false)).network()).isEqualTo(NetworkMode.NONE);
        assertThat(resolve(request(Profile.MODERATE).withNetwork(true)).network()).isEqualTo(NetworkMode.OUTBOUND);
    }

    @Test
    void restrictiveCannotGetNetwork() {
        assertThat(resolve(request(Profile.RESTRICTIVE).withNetwork(true)).network()).isEqualTo(NetworkMode.NONE);
    }

    @Test
    void requestedMemoryWinsAndShrinksTmpToHalfOfIt() {
        SandboxSpec spec = resolve(request(Profile.MODERATE).withMemoryMb(100));

        assertThat(spec.limits().memoryMb()).isEqualTo(100);
        assertThat(spec.limits().tmpMb()).isEqualTo(50);
        assertThat(spec.limits().pids()).isEqualTo(512);
        assertThat(spec.limits().vcpus()).isEqualTo(1);
    }

    @Test
    void requestedMemoryNeverGrowsTmpBeyondTheProfileDefault() {
        assertThat(resolve(request(Profile.MODERATE).withMemoryMb(4096)).limits().tmpMb()).isEqualTo(256);
        assertThat(resolve(request(Profile.RESTRICTIVE).withMemoryMb(4096)).limits().tmpMb()).isEqualTo(64);
        assertThat(resolve(request(Profile.RESTRICTIVE).withMemoryMb(20)).limits().tmpMb()).isEqualTo(10);
    }

    @Test
    void memoryBelowTheMinimumIsRefused() {
        assertThatThrownBy(() -> resolve(request(Profile.MODERATE).withMemoryMb(1)))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("memory limit 1 MB is below the minimum of 16 MB");
    }

    @Test
    void requestedCpusWinUpToTheHostsCount() {
        assertThat(resolve(request(Profile.RESTRICTIVE).withVcpus(0.25)).limits().vcpus()).isEqualTo(0.25);
        assertThat(resolve(request(Profile.MODERATE).withVcpus(4)).limits().vcpus()).isEqualTo(4);
    }

    @Test
    void moreCpusThanTheHostHasAreRefusedWithAClearMessage() {
        assertThatThrownBy(() -> resolve(request(Profile.MODERATE).withVcpus(5)))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("cpu limit 5 exceeds the 4 CPUs of this host");
        assertThatThrownBy(() -> resolve(request(Profile.MODERATE).withVcpus(4.5)))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("cpu limit 4.5 exceeds the 4 CPUs of this host");
    }

    @Test
    void zeroCpusAreRefused() {
        assertThatThrownBy(() -> resolve(request(Profile.MODERATE).withVcpus(0)))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("must be a positive number of cores");
    }

    @Test
    void theImageIsPassedThrough() {
        assertThat(resolve(SandboxRequest.defaults().withImage("python:3.12-alpine")).image())
                .contains("python:3.12-alpine");
    }

    @Test
    void everySandboxGetsItsOwnHostname() {
        SandboxSpec a = resolve(SandboxRequest.defaults());
        SandboxSpec b = resolve(SandboxRequest.defaults());

        assertThat(a.hostname()).startsWith("sandbox-" + Long.toHexString(ProcessHandle.current().pid()) + "-");
        assertThat(a.hostname()).isNotEqualTo(b.hostname());
    }

    @Test
    void permissiveSkipsHostVariablesWithNulBytes() {
        Map<String, String> hostEnv = new HashMap<>();
        hostEnv.put("TERM", "bad\0value");
        hostEnv.put("EDITOR", "vi");
        SandboxSpec spec = new PolicyResolver(host(4, hostEnv)).resolve(request(Profile.PERMISSIVE)
                .withProjectDir(tmp));

        assertThat(spec.env()).doesNotContainKey("TERM").containsEntry("EDITOR", "vi");
    }

    @Test
    void defaultLimitsPerProfile() {
        assertThat(PolicyResolver.defaultLimits(Profile.PERMISSIVE)).isEqualTo(new ResourceLimits(1024, 1, 1024, 512));
        assertThat(PolicyResolver.defaultLimits(Profile.MODERATE)).isEqualTo(new ResourceLimits(512, 1, 512, 256));
        assertThat(PolicyResolver.defaultLimits(Profile.RESTRICTIVE)).isEqualTo(new ResourceLimits(256, 1, 128, 64));
    }

    @Test
    void aResolverForApiCallersAppliesThePermissiveProfileWithoutTheHome() throws Exception {
        Path project = Files.createDirectories(tmp.resolve("project-api"));
        SandboxSpec spec = new PolicyResolver(host(4, Map.of("TERM", "xterm")), false)
                .resolve(request(Profile.PERMISSIVE).withProjectDir(project));

        assertThat(spec.mounts()).containsExactly(new Mount(project, "/workspace", false));
        assertThat(spec.network()).isEqualTo(NetworkMode.OUTBOUND);
        assertThat(spec.env()).containsEntry("TERM", "xterm");
    }

    @Test
    void aPersistentSandboxsDiskIsTheRequestsOrItsProfilesDefaultWithinBounds() {
        PolicyResolver resolver = new PolicyResolver(host(4, Map.of()));
        assertThat(resolver.diskMb(SandboxRequest.defaults())).isEqualTo(1024);
        assertThat(resolver.diskMb(request(Profile.RESTRICTIVE))).isEqualTo(256);
        assertThat(resolver.diskMb(request(Profile.PERMISSIVE))).isEqualTo(4096);
        assertThat(resolver.diskMb(request(Profile.RESTRICTIVE).withDiskMb(64))).isEqualTo(64);
        assertThat(resolver.diskMb(SandboxRequest.defaults().withDiskMb(PolicyResolver.DEFAULT_MAX_DISK_MB)))
                .isEqualTo(PolicyResolver.DEFAULT_MAX_DISK_MB);
        assertThatThrownBy(() -> resolver.diskMb(SandboxRequest.defaults().withDiskMb(15)))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("disk_mb 15 is below the minimum of 16");
        assertThatThrownBy(() -> resolver.diskMb(SandboxRequest.defaults().withDiskMb(PolicyResolver.DEFAULT_MAX_DISK_MB + 1)))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("above the maximum of 65536")
                .hasMessageContaining(PolicyResolver.MAX_DISK_ENV);
    }

    @Test
    void theLargestDiskIsConfigurable() {
        PolicyResolver resolver = new PolicyResolver(host(4, Map.of(PolicyResolver.MAX_DISK_ENV, "512")));
        assertThat(resolver.diskMb(SandboxRequest.defaults().withDiskMb(512))).isEqualTo(512);
        assertThatThrownBy(() -> resolver.diskMb(SandboxRequest.defaults()))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("disk_mb 1024 is above the maximum of 512");
        PolicyResolver broken = new PolicyResolver(host(4, Map.of(PolicyResolver.MAX_DISK_ENV, "lots")));
        assertThatThrownBy(() -> broken.diskMb(SandboxRequest.defaults()))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining(PolicyResolver.MAX_DISK_ENV);
    }
}
