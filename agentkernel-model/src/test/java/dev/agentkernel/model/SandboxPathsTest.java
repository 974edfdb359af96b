package dev.agentkernel.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SandboxPathsTest {

    @ParameterizedTest
    @ValueSource(strings = {"/", "/workspace", "/a/b/c", "/a/./b", "/a..b/c", "/a/..b", "/a/b/"})
    void absolutePathsWithoutDotDotAreReturnedUnchanged(String path) {
        assertThat(SandboxPaths.requireAbsolute(path, "mount target")).isSameAs(path);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "workspace", "./x", "~/x", " /x"})
    void relativePathsAreRefusedNamingWhatTheyAreFor(String path) {
        assertThatThrownBy(() -> SandboxPaths.requireAbsolute(path, "mount target"))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("mount target '" + path + "' must be an absolute path inside the sandbox, e.g. /workspace");
    }

    @Test
    void nullIsRefused() {
        assertThatThrownBy(() -> SandboxPaths.requireAbsolute(null, "working directory"))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageStartingWith("working directory 'null' must be an absolute path");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/..", "/a/../b", "/a/b/..", "/a/../../etc/shadow"})
    void dotDotSegmentsAreRefused(String path) {
        assertThatThrownBy(() -> SandboxPaths.requireAbsolute(path, "working directory"))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("working directory '" + path + "' must not contain '..'");
    }

    @Test
    void aNulByteIsRefused() {
        assertThatThrownBy(() -> SandboxPaths.requireAbsolute("/a\0b", "mount target"))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("mount target must not contain a NUL byte");
    }

    @Test
    void mountsValidateBothSides() {
        Mount ok = new Mount(Path.of("/home/u/project"), "/workspace", false);
        assertThat(ok.readOnly()).isFalse();

        assertThatThrownBy(() -> new Mount(Path.of("relative/dir"), "/workspace", true))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("mount source 'relative/dir' must be an absolute host path");
        assertThatThrownBy(() -> new Mount(Path.of("/tmp"), "workspace", true))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageStartingWith("mount target 'workspace' must be an absolute path");
        assertThatThrownBy(() -> new Mount(Path.of("/tmp"), "/workspace/../etc", true))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("mount target '/workspace/../etc' must not contain '..'");
    }
}
