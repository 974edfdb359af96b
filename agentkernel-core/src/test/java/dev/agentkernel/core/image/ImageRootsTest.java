package dev.agentkernel.core.image;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentkernel.image.Image;
import dev.agentkernel.image.ImageConfig;
import dev.agentkernel.image.ImageReference;
import dev.agentkernel.model.RootFs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageRootsTest {

    @TempDir
    Path tmp;

    private Image image(List<Path> layers) {
        return new Image(ImageReference.parse("team/tool:1"), "sha256:" + "c".repeat(64),
                new ImageConfig(List.of("PATH=/opt/bin:/usr/bin", "EMPTY=", "=bad", "A=b=c"), "/srv", List.of("/entry"),
                        List.of("--flag"), ""), layers, "linux/amd64", 1, Instant.EPOCH);
    }

    @Test
    void theImagesAccountsAreKeptWithRootFirstAndTheSandboxUserAddedOnlyIfMissing() {
        String passwd = ImageRoots.accounts("root:x:0:0:root:/root:/bin/ash\nbin:x:1:1::/bin:/sbin/nologin\n# c\n\n",
                "root:x:0:0:root:/root:/bin/sh", "sandbox:x:1000:1000:sandbox:/workspace:/bin/sh");
        assertThat(passwd).isEqualTo("root:x:0:0:root:/root:/bin/sh\nbin:x:1:1::/bin:/sbin/nologin\n"
                + "sandbox:x:1000:1000:sandbox:/workspace:/bin/sh\n");
        String own = ImageRoots.accounts("node:x:1000:1000::/home/node:/bin/sh\n", "root:x:0:0:root:/root:/bin/sh",
                "sandbox:x:1000:1000:sandbox:/workspace:/bin/sh");
        assertThat(own).isEqualTo("root:x:0:0:root:/root:/bin/sh\nnode:x:1000:1000::/home/node:/bin/sh\n");
    }

    @Test
    void accountFilesAreReadFromTheTopMostLayerFollowingNoLink() throws Exception {
        Path low = Files.createDirectories(tmp.resolve("l0/etc"));
        Files.writeString(low.resolve("passwd"), "low:x:5:5::/:/bin/sh\n");
        Path high = Files.createDirectories(tmp.resolve("l1"));
        assertThat(ImageRoots.read(List.of(tmp.resolve("l0"), high), "passwd")).contains("low:x:5:5::/:/bin/sh\n");

        // a layer whose etc is a link to the host's /etc: nothing is read through it
        Files.createSymbolicLink(high.resolve("etc"), Path.of("/etc"));
        assertThat(ImageRoots.read(List.of(tmp.resolve("l0"), high), "passwd")).isEmpty();
        // nor through a link at the file itself
        Path linked = Files.createDirectories(tmp.resolve("l2/etc"));
        Files.createSymbolicLink(linked.resolve("passwd"), Path.of("/etc/shadow"));
        assertThat(ImageRoots.read(List.of(tmp.resolve("l0"), tmp.resolve("l2")), "passwd")).isEmpty();
    }

    @Test
    void theGeneratedLayerHasTheAccountsTheResolverAndRealDirectoriesAtTheMountPoints() throws Exception {
        Path layer = Files.createDirectories(tmp.resolve("layer/etc")).getParent();
        Files.writeString(layer.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
        Files.createSymbolicLink(layer.resolve("workspace"), Path.of("/etc"));
        ImageRoots roots = new ImageRoots(null, tmp.resolve("roots"));
        Path made = roots.etcLayers(image(List.of(layer)));

        assertThat(made.resolve("online/etc/resolv.conf")).content().contains("nameserver " + ImageRoots.SANDBOX_RESOLVER);
        assertThat(made.resolve("offline/etc/resolv.conf")).content().isEmpty();
        assertThat(made.resolve("online/etc/passwd")).content().contains("sandbox:x:1000:1000:");
        for (String dir : ImageRoots.MOUNT_POINTS.keySet()) {
            assertThat(made.resolve("online").resolve(dir)).as(dir).isDirectory();
            assertThat(Files.isSymbolicLink(made.resolve("online").resolve(dir))).isFalse();
        }
        assertThat(Files.getAttribute(made.resolve("online/tmp"), "unix:mode")).isEqualTo(041777);
        assertThat(roots.etcLayers(image(List.of(layer)))).as("made once per digest").isEqualTo(made);
    }

    @Test
    void pruneRemovesTheGeneratedLayersOfImagesNoLongerStored() throws Exception {
        Path layer = Files.createDirectories(tmp.resolve("layer/etc")).getParent();
        Image kept = image(List.of(layer));
        Image gone = new Image(ImageReference.parse("team/old:1"), "sha256:" + "e".repeat(64), kept.config(),
                List.of(layer), "linux/amd64", 1, Instant.EPOCH);
        // a store that lists one image (the rest of the service is not used by prune)
        dev.agentkernel.image.ImageService store = (dev.agentkernel.image.ImageService) java.lang.reflect.Proxy
                .newProxyInstance(getClass().getClassLoader(), new Class<?>[] {dev.agentkernel.image.ImageService.class},
                        (proxy, method, args) -> switch (method.getName()) {
                            case "list" -> List.of(kept);
                            default -> throw new UnsupportedOperationException(method.getName());
                        });
        ImageRoots roots = new ImageRoots(store, tmp.resolve("roots"));
        Path keptLayers = roots.etcLayers(kept);
        Path goneLayers = roots.etcLayers(gone);

        assertThat(roots.prune()).isEqualTo(1);
        assertThat(keptLayers).isDirectory();
        assertThat(goneLayers).doesNotExist();
    }

    @Test
    void theImagesSettingsKeepValidEnvEntriesAndAnAbsoluteWorkdir() {
        RootFs.ImageSettings settings = ImageRoots.settings(image(List.of()).config());
        assertThat(settings.env()).containsEntry("PATH", "/opt/bin:/usr/bin").containsEntry("EMPTY", "")
                .containsEntry("A", "b=c").hasSize(3);
        assertThat(settings.workdir()).contains("/srv");
        assertThat(settings.defaultCommand()).containsExactly("/entry", "--flag");
        assertThat(ImageRoots.settings(new ImageConfig(List.of(), "/", List.of(), List.of(), "")).workdir())
                .isEqualTo(Optional.empty());
    }
}
