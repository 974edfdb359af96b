package dev.agentkernel.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class SandboxRequestTest {

    @Test
    void defaultsLeaveEveryFieldEmpty() {
        SandboxRequest r = SandboxRequest.defaults();

        assertThat(r.profile()).isEmpty();
        assertThat(r.image()).isEmpty();
        assertThat(r.network()).isEmpty();
        assertThat(r.memoryMb()).isEmpty();
        assertThat(r.vcpus()).isEmpty();
        assertThat(r.env()).isEmpty();
        assertThat(r.workdir()).isEmpty();
        assertThat(r.projectDir()).isEmpty();
    }

    @Test
    void withersSetOneFieldAndKeepTheOthers() {
        SandboxRequest r = SandboxRequest.defaults()
                .withProfile(Profile.PERMISSIVE)
                .withNetwork(false)
                .withMemoryMb(300)
                .withVcpus(0.5)
                .withImage("node:22")
                .withProjectDir(Path.of("/src/app"));

        assertThat(r.profile()).contains(Profile.PERMISSIVE);
        assertThat(r.network()).contains(false);
        assertThat(r.memoryMb()).hasValue(300);
        assertThat(r.vcpus()).hasValue(0.5);
        assertThat(r.image()).contains("node:22");
        assertThat(r.projectDir()).contains(Path.of("/src/app"));
        assertThat(r.env()).isEmpty();
        assertThat(r.workdir()).isEmpty();

        SandboxRequest changed = r.withProfile(Profile.RESTRICTIVE).withNetwork(true);
        assertThat(changed.profile()).contains(Profile.RESTRICTIVE);
        assertThat(changed.network()).contains(true);
        assertThat(changed.memoryMb()).hasValue(300);
        assertThat(changed.image()).contains("node:22");
        assertThat(r.profile()).as("the original is unchanged").contains(Profile.PERMISSIVE);
    }

    @Test
    void envIsCopiedAndValidated() {
        Map<String, String> env = new HashMap<>(Map.of("DEBUG", "1"));
        SandboxRequest r = new SandboxRequest(Optional.empty(), Optional.empty(), Optional.empty(), OptionalLong.empty(),
                OptionalDouble.empty(), env, Optional.of("/tmp"), Optional.empty());
        env.put("OTHER", "2");

        assertThat(r.env()).containsExactly(Map.entry("DEBUG", "1"));
        assertThat(r.workdir()).contains("/tmp");
        assertThat(r.withMemoryMb(64).env()).containsExactly(Map.entry("DEBUG", "1"));
        assertThat(r.withMemoryMb(64).workdir()).contains("/tmp");

        assertThatThrownBy(() -> new SandboxRequest(Optional.empty(), Optional.empty(), Optional.empty(),
                OptionalLong.empty(), OptionalDouble.empty(), Map.of("9LIVES", "x"), Optional.empty(), Optional.empty()))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("'9LIVES' is invalid");
    }

    @Test
    void aRelativeWorkdirIsRefused() {
        assertThatThrownBy(() -> new SandboxRequest(Optional.empty(), Optional.empty(), Optional.empty(),
                OptionalLong.empty(), OptionalDouble.empty(), Map.of(), Optional.of("src"), Optional.empty()))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageStartingWith("working directory 'src' must be an absolute path");
    }

    @Test
    void nullOptionalsAreRefused() {
        assertThatThrownBy(() -> new SandboxRequest(null, Optional.empty(), Optional.empty(), OptionalLong.empty(),
                OptionalDouble.empty(), Map.of(), Optional.empty(), Optional.empty()))
                .isInstanceOf(NullPointerException.class).hasMessage("profile");
        assertThatThrownBy(() -> new SandboxRequest(Optional.empty(), Optional.empty(), Optional.empty(),
                OptionalLong.empty(), OptionalDouble.empty(), Map.of(), Optional.empty(), null))
                .isInstanceOf(NullPointerException.class).hasMessage("projectDir");
    }

    @Test
    void everyErrorIsAnAgentKernelException() {
        assertThat(new InvalidRequestException("x")).isInstanceOf(AgentKernelException.class);
        assertThat(new BackendUnavailableException("x")).isInstanceOf(AgentKernelException.class);
        assertThat(new SandboxFailureException("x", new RuntimeException("cause")).getCause()).hasMessage("cause");
        assertThat(new NotFoundException("gone").getMessage()).isEqualTo("gone");
        assertThat(new ConflictException("x")).isInstanceOf(RuntimeException.class);
        assertThat(new ResourceExhaustedException("x")).isInstanceOf(AgentKernelException.class);
    }

    @Test
    void everyCopyKeepsTheNetworkPolicy() {
        NetworkPolicy policy = new NetworkPolicy(java.util.List.of("pypi.org"), java.util.List.of(), java.util.List.of(),
                java.util.List.of(), java.util.List.of(), Map.of());
        SandboxRequest r = SandboxRequest.defaults().withEgress(policy);
        for (SandboxRequest copy : java.util.List.of(r.withProfile(Profile.PERMISSIVE), r.withNetwork(true), r.withMemoryMb(64),
                r.withVcpus(1), r.withImage("python:3.12"), r.withDiskMb(64), r.withProjectDir(java.nio.file.Path.of("/tmp")),
                r.withPull(ImagePull.ALWAYS), r.withBackend("runc"))) {
            org.assertj.core.api.Assertions.assertThat(copy.egress()).as(copy.toString()).isEqualTo(policy);
        }
    }
}
