package dev.agentkernel.backend.bwrap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentkernel.core.host.OwnerTag;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;

/**
 * {@link BackendContractIT} on the podman backend (podman with runc under it), and after every case
 * nothing of podman left either: no run directory of this JVM's sandboxes under {@code /run/akp}
 * (the bundles, podman's storage and the cgroups are checked by the contract itself).
 */
class PodmanContractIT extends BackendContractIT {

    @Override
    String backend() {
        return "podman";
    }

    @Override
    boolean hostKernel() {
        return true;
    }

    @Override
    boolean network() {
        return true;
    }

    @AfterEach
    void podmansRunDirectoriesAreGone() throws IOException {
        if (!Files.isDirectory(PodmanCommandLine.RUN_ROOT)) {
            return;
        }
        try (Stream<java.nio.file.Path> entries = Files.list(PodmanCommandLine.RUN_ROOT)) {
            List<String> ours = entries.map(e -> e.getFileName().toString())
                    .filter(name -> name.startsWith(OwnerTag.of(""))).toList();
            assertThat(ours).as("podman run directories left under " + PodmanCommandLine.RUN_ROOT).isEmpty();
        }
    }
}
