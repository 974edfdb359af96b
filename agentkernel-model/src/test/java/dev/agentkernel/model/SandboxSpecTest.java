package dev.agentkernel.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SandboxSpecTest {

    private static final ResourceLimits LIMITS = new ResourceLimits(512, 1, 512, 256);

    private static SandboxSpec spec(List<Mount> mounts, Map<String, String> env, String workdir) {
        return new SandboxSpec(Optional.empty(), Profile.MODERATE, NetworkMode.NONE, false, LIMITS, mounts, env,
                workdir, "sandbox-1");
    }

    @Test
    void keepsEveryField() {
        Mount mount = new Mount(Path.of("/srv/data"), "/data", true);
        SandboxSpec spec = new SandboxSpec(Optional.of("python:3.12"), Profile.RESTRICTIVE, NetworkMode.OUTBOUND, true,
                LIMITS, List.of(mount), Map.of("A", "1"), "/data", "box");

        assertThat(spec.image()).contains("python:3.12");
        assertThat(spec.profile()).isEqualTo(Profile.RESTRICTIVE);
        assertThat(spec.network()).isEqualTo(NetworkMode.OUTBOUND);
        assertThat(spec.readOnlyRoot()).isTrue();
        assertThat(spec.limits()).isEqualTo(LIMITS);
        assertThat(spec.mounts()).containsExactly(mount);
        assertThat(spec.env()).containsExactly(Map.entry("A", "1"));
        assertThat(spec.workdir()).isEqualTo("/data");
        assertThat(spec.hostname()).isEqualTo("box");
    }

    @Test
    void mountsAndEnvAreCopiedAndImmutable() {
        List<Mount> mounts = new ArrayList<>(List.of(new Mount(Path.of("/a"), "/a", true)));
        Map<String, String> env = new HashMap<>(Map.of("A", "1"));
        SandboxSpec spec = spec(mounts, env, "/workspace");
        mounts.add(new Mount(Path.of("/b"), "/b", false));
        env.put("B", "2");

        assertThat(spec.mounts()).hasSize(1);
        assertThat(spec.env()).containsOnlyKeys("A");
        assertThatThrownBy(() -> spec.mounts().clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> spec.env().clear()).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void mountOrderIsKept() {
        Mount a = new Mount(Path.of("/z"), "/z", true);
        Mount b = new Mount(Path.of("/a"), "/a", false);
        Mount c = new Mount(Path.of("/m"), "/m", true);
        assertThat(spec(List.of(a, b, c), Map.of(), "/").mounts()).containsExactly(a, b, c);
    }

    @Test
    void aRelativeWorkdirIsRefused() {
        assertThatThrownBy(() -> spec(List.of(), Map.of(), "workspace"))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageStartingWith("working directory 'workspace' must be an absolute path");
    }

    @Test
    void aBadEnvironmentNameIsRefused() {
        assertThatThrownBy(() -> spec(List.of(), Map.of("A=B", "x"), "/workspace"))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("'A=B' is invalid");
    }

    @Test
    void requiredPartsMustBeGiven() {
        assertThatThrownBy(() -> new SandboxSpec(Optional.empty(), null, NetworkMode.NONE, false, LIMITS, List.of(),
                Map.of(), "/", "h")).isInstanceOf(NullPointerException.class).hasMessage("profile");
        assertThatThrownBy(() -> new SandboxSpec(Optional.empty(), Profile.MODERATE, null, false, LIMITS, List.of(),
                Map.of(), "/", "h")).isInstanceOf(NullPointerException.class).hasMessage("network");
        assertThatThrownBy(() -> new SandboxSpec(Optional.empty(), Profile.MODERATE, NetworkMode.NONE, false, null,
                List.of(), Map.of(), "/", "h")).isInstanceOf(NullPointerException.class).hasMessage("limits");
        assertThatThrownBy(() -> new SandboxSpec(Optional.empty(), Profile.MODERATE, NetworkMode.NONE, false, LIMITS,
                List.of(), Map.of(), "/", null)).isInstanceOf(NullPointerException.class).hasMessage("hostname");
    }
}
