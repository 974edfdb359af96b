package dev.agentkernel.backend.bwrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentkernel.model.CommandSpec;
import dev.agentkernel.model.Mount;
import dev.agentkernel.model.NetworkMode;
import dev.agentkernel.model.Profile;
import dev.agentkernel.model.ResourceLimits;
import dev.agentkernel.model.RootFs;
import dev.agentkernel.model.SandboxSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What {@link DockerRunArguments} asks the engine for, and {@link DockerEngineInfo}'s reading of {@code docker info}. */
class DockerRunArgumentsTest {

    private static final ResourceLimits LIMITS = new ResourceLimits(256, 1.5, 64, 32);
    private final DockerRunArguments arguments = new DockerRunArguments("ak-agent", "seccomp-x86_64-abc.bpf");

    private static SandboxSpec spec(boolean readOnlyRoot, List<Mount> mounts) {
        return new SandboxSpec(Optional.empty(), readOnlyRoot ? Profile.RESTRICTIVE : Profile.MODERATE, NetworkMode.NONE,
                readOnlyRoot, LIMITS, mounts, Map.of("HOME", "/workspace"), "/workspace", "sandbox-1");
    }

    private List<String> build(SandboxSpec spec, CommandSpec command) {
        return arguments.build(spec, new BwrapCommandLine.Payload.Command(command), "agentkernel-t-1",
                "/agentkernel/t-1", "agentkernel/0123:offline-abc", Optional.empty());
    }

    /** The value after the first {@code option}. */
    private static String after(List<String> args, String option) {
        int i = args.indexOf(option);
        assertThat(i).as(option + " in " + args).isNotNegative();
        return args.get(i + 1);
    }

    @Test
    void theAgentRunsAsRemappedRootWithFewCapabilitiesNoNetworkAndTheLimits() {
        List<String> args = build(spec(false, List.of()), CommandSpec.of("id", "-u"));
        assertThat(args.subList(0, 2)).containsExactly("run", "-i");
        assertThat(after(args, "--name")).isEqualTo("agentkernel-t-1");
        assertThat(after(args, "--label")).isEqualTo("dev.agentkernel.sandbox=agentkernel-t-1");
        assertThat(after(args, "--cgroup-parent")).isEqualTo("/agentkernel/t-1");
        assertThat(after(args, "--network")).isEqualTo("none");
        assertThat(after(args, "--log-driver")).isEqualTo("none");
        assertThat(after(args, "--user")).isEqualTo("0:0");
        assertThat(after(args, "--cap-drop")).isEqualTo("ALL");
        assertThat(args).contains("SETUID", "SETGID", "CHOWN").doesNotContain("SYS_ADMIN", "NET_RAW", "CAP_SETUID");
        assertThat(Collections.frequency(args, "--cap-add")).isEqualTo(BwrapCommandLine.ROOT_CAPABILITIES.size());
        assertThat(after(args, "--security-opt")).isEqualTo("no-new-privileges");
        assertThat(after(args, "--memory")).isEqualTo("256m");
        assertThat(after(args, "--memory-swap")).as("no swap beyond the limit").isEqualTo("256m");
        assertThat(after(args, "--pids-limit")).isEqualTo("64");
        assertThat(after(args, "--cpus")).isEqualTo("1.500");
        assertThat(after(args, "--hostname")).isEqualTo("sandbox-1");
        assertThat(args).doesNotContain("--read-only", "--privileged", "--rm");
        // the agent, baked into the image, as the first process; then its exec shim's arguments
        int image = args.indexOf("agentkernel/0123:offline-abc");
        assertThat(args.get(image - 1)).isEqualTo("/.ak/ak-agent");
        assertThat(args.get(image - 2)).isEqualTo("--entrypoint");
        assertThat(args.subList(image + 1, args.size())).containsExactly("--seccomp", "/.ak/seccomp-x86_64-abc.bpf",
                "--exec", "--user", "1000:1000", "--", "id", "-u");
    }

    @Test
    void rootCommandsEnvironmentAndWorkingDirectory() {
        CommandSpec command = new CommandSpec(List.of("id"), Map.of("A", "1"), Optional.of("/tmp"),
                Optional.of(Duration.ofSeconds(5)), true);
        List<String> args = build(spec(false, List.of()), command);
        assertThat(args).containsSequence("--env", "HOME=/workspace").containsSequence("--env", "A=1")
                .containsSequence("--workdir", "/tmp").endsWith("--exec", "--user", "1000:1000", "--root", "--", "id");
    }

    @Test
    void theAgentPayloadServesItsProtocol() {
        List<String> args = arguments.build(spec(false, List.of()), new BwrapCommandLine.Payload.Agent(), "n", "/p", "img",
                Optional.empty());
        assertThat(args).endsWith("img", "--seccomp", "/.ak/seccomp-x86_64-abc.bpf", "--user", "1000:1000");
    }

    @Test
    void aReadOnlyRootKeepsTmpWritableAndWorkspaceReadOnly() {
        List<String> args = build(spec(true, List.of()), CommandSpec.of("true"));
        assertThat(args).contains("--read-only")
                .contains("/tmp:rw,nosuid,nodev,mode=1777,size=32m")
                .contains("/workspace:ro,nosuid,nodev,mode=1777,size=256m");
    }

    @Test
    void mountsAreBindsAndReplaceTheWorkspaceTmpfs() {
        List<String> args = build(spec(false, List.of(new Mount(Path.of("/srv/ws"), "/workspace", false),
                new Mount(Path.of("/srv/data"), "/data", true))), CommandSpec.of("true"));
        assertThat(args).contains("type=bind,source=/srv/ws,target=/workspace")
                .contains("type=bind,source=/srv/data,target=/data,readonly")
                .noneMatch(a -> a.startsWith("/workspace:"));
    }

    @Test
    void withNetworkTheAgentWaitsAtTheGateAndEtcIsTheGeneratedLayers() {
        RootFs.Image image = new RootFs.Image("docker.io/library/alpine:3.20", "sha256:0123", List.of(Path.of("/l/0")),
                Path.of("/st/etc-online"), Path.of("/st/etc-offline"),
                new RootFs.ImageSettings(Map.of(), Optional.empty(), List.of(), List.of()), Optional.empty());
        SandboxSpec online = spec(false, List.of()).withRoot(image);
        online = new SandboxSpec(online.image(), image, Profile.MODERATE, NetworkMode.OUTBOUND, false, LIMITS, List.of(),
                Map.of(), "/workspace", "sandbox-1", Optional.empty());
        List<String> args = arguments.build(online, new BwrapCommandLine.Payload.Agent(), "n", "/p", "img",
                Optional.of(Path.of("/run/ak/oci-docker/t-1/gate")));
        assertThat(after(args, "--network")).as("the engine's network stays none: the host wires it").isEqualTo("none");
        assertThat(args).contains("type=bind,source=/st/etc-online/etc/resolv.conf,target=/etc/resolv.conf,readonly",
                "type=bind,source=/st/etc-online/etc/hosts,target=/etc/hosts,readonly",
                "type=bind,source=/run/ak/oci-docker/t-1/gate,target=/.ak/gate,readonly");
        assertThat(args).endsWith("img", "--gate", "/.ak/gate", "--seccomp", "/.ak/seccomp-x86_64-abc.bpf",
                "--user", "1000:1000");
        List<String> offline = arguments.build(spec(false, List.of()).withRoot(image),
                new BwrapCommandLine.Payload.Agent(), "n", "/p", "img", Optional.empty());
        assertThat(offline).contains("type=bind,source=/st/etc-offline/etc/resolv.conf,target=/etc/resolv.conf,readonly")
                .doesNotContain("--gate");
    }

    @Test
    void aMountPathWithACommaIsRefused() {
        SandboxSpec spec = spec(false, List.of(new Mount(Path.of("/srv/a,b"), "/data", true)));
        assertThatThrownBy(() -> build(spec, CommandSpec.of("true"))).hasMessageContaining("comma");
    }

    @Test
    void engineInfoTellsRemappingCgroupDriverAndTheRemappedRoot() {
        DockerEngineInfo remapped = DockerEngineInfo.parse(
                "[\"name=seccomp,profile=default\",\"name=userns\"]|cgroupfs|/tmp/d/data/100000.100000|20.10.24\n");
        assertThat(remapped).isEqualTo(new DockerEngineInfo(true, "cgroupfs", Optional.of(100000L), "20.10.24"));
        DockerEngineInfo plain = DockerEngineInfo.parse("[\"name=seccomp,profile=default\"]|systemd|/var/lib/docker|28.2.2");
        assertThat(plain.userns()).isFalse();
        assertThat(plain.remappedRoot()).isEmpty();
        assertThat(plain.cgroupDriver()).isEqualTo("systemd");
        assertThatThrownBy(() -> DockerEngineInfo.parse("Cannot connect")).hasMessageContaining("docker info");
    }
}
