package dev.agentkernel.backend.bwrap;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentkernel.model.InvalidRequestException;
import dev.agentkernel.model.Mount;
import dev.agentkernel.model.RootFs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageMountTargetsTest {

    @TempDir
    Path tmp;

    private RootFs.Image image(Optional<Path> writable) throws Exception {
        Path low = Files.createDirectories(tmp.resolve("l0"));
        Path high = Files.createDirectories(tmp.resolve("l1"));
        Files.createDirectories(low.resolve("data"));
        Files.createSymbolicLink(low.resolve("linked"), Path.of("/oldroot/tmp"));
        Files.createSymbolicLink(low.resolve("hidden"), Path.of("/oldroot/tmp"));
        Files.createDirectories(high.resolve("hidden")); // a directory above hides the link
        Files.createDirectories(high.resolve("srv"));
        Files.createSymbolicLink(high.resolve("srv/deep"), Path.of("/etc"));
        return new RootFs.Image("docker.io/library/x:1", "sha256:" + "d".repeat(64), List.of(low, high),
                Files.createDirectories(tmp.resolve("etc-on")), tmp.resolve("etc-off"),
                new RootFs.ImageSettings(Map.of(), Optional.empty(), List.of(), List.of()), writable);
    }

    private static List<Mount> at(String path) {
        return List.of(new Mount(Path.of("/host/dir"), path, false));
    }

    @Test
    void aMountAtOrUnderALinkOfTheImageIsRefusedNamingIt() throws Exception {
        RootFs.Image image = image(Optional.empty());
        Path etc = image.etcOnline();
        assertThatCode(() -> ImageMountTargets.requireNoLinks(image, etc, at("/data/x"))).doesNotThrowAnyException();
        assertThatCode(() -> ImageMountTargets.requireNoLinks(image, etc, at("/hidden/x"))).doesNotThrowAnyException();
        assertThatCode(() -> ImageMountTargets.requireNoLinks(image, etc, at("/new/place"))).doesNotThrowAnyException();
        assertThatThrownBy(() -> ImageMountTargets.requireNoLinks(image, etc, at("/linked/x")))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("/linked is a symbolic link");
        assertThatThrownBy(() -> ImageMountTargets.requireNoLinks(image, etc, at("/srv/deep")))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("/srv/deep is a symbolic link");
    }

    @Test
    void aLinkTheSandboxMadeInItsOwnWritableLayerCountsToo() throws Exception {
        Path writable = tmp.resolve("box");
        Files.createDirectories(writable.resolve("upper"));
        Files.createSymbolicLink(writable.resolve("upper/data"), Path.of("/oldroot/etc"));
        RootFs.Image image = image(Optional.of(writable));
        assertThatThrownBy(() -> ImageMountTargets.requireNoLinks(image, image.etcOnline(), at("/data/x")))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("/data is a symbolic link");
    }
}
