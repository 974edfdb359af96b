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
