package dev.agentkernel.core.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentkernel.model.InvalidRequestException;
import dev.agentkernel.model.PermissionDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link HostMountPolicy}: allowed roots, system directories, links that lead elsewhere, the daemon's own state. */
class HostMountPolicyTest {

    @TempDir
    Path tmp;

    @Test
    void allowsDirectoriesUnderAnAllowedRootByTheirRealPath() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("projects"));
        Path project = Files.createDirectories(root.resolve("web"));
        HostMountPolicy policy = new HostMountPolicy(List.of(root), List.of());
        assertThat(policy.requireAllowed(project)).isEqualTo(project.toRealPath());
        assertThat(policy.requireAllowed(root)).isEqualTo(root.toRealPath());
        assertThat(policy.requireAllowed(root.resolve("web/../web"))).isEqualTo(project.toRealPath());
    }

    @Test
    void refusesWhatIsNotUnderAnAllowedRoot() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("projects"));
        Path other = Files.createDirectories(tmp.resolve("other"));
        HostMountPolicy policy = new HostMountPolicy(List.of(root), List.of());
        assertThatThrownBy(() -> policy.requireAllowed(other)).isInstanceOf(PermissionDeniedException.class)
                .hasMessageContaining("--allow-dir");
        assertThatThrownBy(() -> policy.requireAllowed(root.resolve(".."))).isInstanceOf(PermissionDeniedException.class);
        assertThatThrownBy(() -> HostMountPolicy.none().requireAllowed(root)).isInstanceOf(PermissionDeniedException.class);
    }

    @Test
    void aLinkInsideAnAllowedRootCannotLeadOut() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("projects"));
        Path outside = Files.createDirectories(tmp.resolve("secrets"));
        Files.createSymbolicLink(root.resolve("escape"), outside);
        Files.createSymbolicLink(root.resolve("etc"), Path.of("/etc"));
        HostMountPolicy policy = new HostMountPolicy(List.of(root), List.of());
        assertThatThrownBy(() -> policy.requireAllowed(root.resolve("escape"))).isInstanceOf(PermissionDeniedException.class);
        assertThatThrownBy(() -> policy.requireAllowed(root.resolve("etc"))).isInstanceOf(PermissionDeniedException.class)
                .hasMessageContaining("system directory");
    }

    @Test
    void systemDirectoriesAreNeverMountedEvenIfAllowed() {
        HostMountPolicy everything = new HostMountPolicy(List.of(Path.of("/")), List.of());
        for (String dir : List.of("/", "/etc", "/etc/ssl", "/proc", "/proc/1", "/sys", "/dev", "/usr", "/usr/lib", "/var",
                "/run", "/boot", "/home", "/root", "/tmp")) {
            if (Files.isDirectory(Path.of(dir))) {
                assertThatThrownBy(() -> everything.requireAllowed(Path.of(dir))).as(dir)
                        .isInstanceOf(PermissionDeniedException.class);
            }
        }
    }

    @Test
    void theDaemonsOwnStateIsNeverMountedNorAnythingAboveIt() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("all"));
        Path state = Files.createDirectories(root.resolve("state"));
        Path project = Files.createDirectories(root.resolve("project"));
        HostMountPolicy policy = new HostMountPolicy(List.of(root), List.of(state));
        assertThatThrownBy(() -> policy.requireAllowed(state)).isInstanceOf(PermissionDeniedException.class);
        assertThatThrownBy(() -> policy.requireAllowed(Files.createDirectories(state.resolve("sandboxes"))))
                .isInstanceOf(PermissionDeniedException.class);
        assertThatThrownBy(() -> policy.requireAllowed(root)).as("a parent of the state directory")
                .isInstanceOf(PermissionDeniedException.class);
        assertThat(policy.requireAllowed(project)).isEqualTo(project.toRealPath());
    }

    @Test
    void badPathsAreClientErrors() throws Exception {
        HostMountPolicy policy = new HostMountPolicy(List.of(tmp), List.of());
        assertThatThrownBy(() -> policy.requireAllowed(Path.of("relative/dir"))).isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> policy.requireAllowed(tmp.resolve("missing"))).isInstanceOf(InvalidRequestException.class);
        Path file = Files.writeString(tmp.resolve("file"), "x");
        assertThatThrownBy(() -> policy.requireAllowed(file)).isInstanceOf(InvalidRequestException.class);
    }

    @Test
    void parsesColonSeparatedRoots() {
        assertThat(HostMountPolicy.parseRoots("/a:/b/c::  ")).containsExactly(Path.of("/a"), Path.of("/b/c"));
        assertThat(HostMountPolicy.parseRoots(null)).isEmpty();
    }
}
