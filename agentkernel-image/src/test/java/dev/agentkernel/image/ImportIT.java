package dev.agentkernel.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentkernel.model.InvalidRequestException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Imports of a docker save tarball (written by skopeo), an OCI layout directory (umoci) and an OCI layout tar. */
class ImportIT {

    static TestImages images;

    @TempDir
    Path temp;

    @BeforeAll
    static void images() throws Exception {
        images = TestImages.get();
    }

    private ImageService service() {
        return ImageService.open(ImageServiceConfig.defaults(temp.resolve("store")).withDockerConfig(null));
    }

    @Test
    void dockerSaveTarball() throws Exception {
        try (ImageService service = service()) {
            List<Image> imported = service.importArchive(images.dockerArchive, null, PullListener.NONE);
            assertThat(imported).extracting(i -> i.reference().toString())
                    .containsExactly("docker.io/test/imported:1");
            Path flat = temp.resolve("flat");
            service.materialize(imported.getFirst(), flat);
            assertThat(TreeSnapshot.of(flat)).isEqualTo(TreeSnapshot.of(images.umociRootfs("derived")));
            assertThat(imported.getFirst().config().env()).contains("IMAGE_NAME=base");
            // Stored like a pulled image: policy never finds it.
            assertThat(service.resolve("test/imported:1", PullPolicy.NEVER, PullListener.NONE).digest())
                    .isEqualTo(imported.getFirst().digest());
        }
    }

    @Test
    void aRecordReplacedOrRemovedByAnotherProcessIsSeenAtOnce() throws Exception {
        // Two services on one store directory stand for two processes (a daemon and the CLI): the
        // daemon keeps the records it parsed, and must still see every change the other one makes.
        try (ImageService daemon = service(); ImageService cli = service()) {
            Image base = cli.importArchive(images.ociArchive, "localhost/moving", PullListener.NONE).getFirst();
            assertThat(daemon.resolve("localhost/moving:base", PullPolicy.NEVER, PullListener.NONE).digest())
                    .isEqualTo(base.digest());

            Path tar = temp.resolve("layer.tar");
            try (var out = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(Files.newOutputStream(tar))) {
                byte[] content = "moved\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
                var entry = new org.apache.commons.compress.archivers.tar.TarArchiveEntry("moved.txt");
                entry.setSize(content.length);
                out.putArchiveEntry(entry);
                out.write(content);
                out.closeArchiveEntry();
            }
            String diffId = "sha256:" + java.util.HexFormat.of().formatHex(
                    java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(tar)));
            Image moved = cli.derive(base, "localhost/moving:base", tar, diffId, "test");
            assertThat(moved.digest()).isNotEqualTo(base.digest());
            assertThat(daemon.resolve("localhost/moving:base", PullPolicy.NEVER, PullListener.NONE).digest())
                    .as("the tag moved by the other process").isEqualTo(moved.digest());

            cli.remove("localhost/moving:base");
            assertThat(daemon.find("localhost/moving:base")).as("removed by the other process").isEmpty();
        }
    }

    @Test
    void ociLayoutTarNeedsANameWhenItHasOnlyATag() throws Exception {
        try (ImageService service = service()) {
            assertThatThrownBy(() -> service.importArchive(images.ociArchive, null, PullListener.NONE))
                    .isInstanceOf(InvalidRequestException.class).hasMessageContaining("--name");
            List<Image> imported = service.importArchive(images.ociArchive, "localhost/imported-base",
                    PullListener.NONE);
            assertThat(imported).extracting(i -> i.reference().toString())
                    .containsExactly("localhost/imported-base:base");
            Path flat = temp.resolve("flat");
            service.materialize(imported.getFirst(), flat);
            assertThat(TreeSnapshot.of(flat)).isEqualTo(TreeSnapshot.of(images.umociRootfs("base")));
        }
    }

    @Test
    void ociLayoutDirectoryWithManyTagsAndAnIndex() throws Exception {
        try (ImageService service = service()) {
            List<Image> imported = service.importArchive(images.layout, "localhost/layout", PullListener.NONE);
            Map<String, Image> byTag = new java.util.HashMap<>();
            imported.forEach(i -> byTag.put(i.reference().tag(), i));
            assertThat(byTag).containsKeys("base", "derived", "multi", "amd", "arm", "empty");
            assertThat(byTag.get("multi").digest()).isEqualTo(byTag.get("amd").digest());
            assertThat(byTag.get("empty").layers()).isEmpty();
            Path flat = temp.resolve("flat");
            service.materialize(byTag.get("derived"), flat);
            assertThat(TreeSnapshot.of(flat)).isEqualTo(TreeSnapshot.of(images.umociRootfs("derived")));
            // Shared layers are unpacked once across all those tags.
            try (var dirs = Files.list(temp.resolve("store/layers/sha256"))) {
                assertThat(dirs.count()).isEqualTo(5); // base: 3, derived: +1, tamper: +1
            }
        }
    }
}
