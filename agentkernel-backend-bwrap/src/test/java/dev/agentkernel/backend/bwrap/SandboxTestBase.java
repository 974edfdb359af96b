package dev.agentkernel.backend.bwrap;

import dev.agentkernel.testing.TestDirectories;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/**
 * Base of the bubblewrap integration tests: skips the class unless the host can run real
 * sandboxes (root, bwrap), opens one backend per class over private directories, and
 * after every test checks that nothing was left behind on the host.
 */
abstract class SandboxTestBase {

    static Path dir;
    static Sandboxes sandboxes;

    @BeforeAll
    static void openBackend() throws IOException {
        Sandboxes.assumeSandboxHost();
        dir = Files.createTempDirectory("ak-it-");
        sandboxes = Sandboxes.open(dir);
    }

    @AfterEach
    void nothingLeftBehind() {
        sandboxes.assertNothingLeftBehind();
    }

    @AfterAll
    static void closeBackend() throws IOException {
        if (sandboxes != null) {
            sandboxes.close();
            sandboxes = null;
        }
        if (dir != null) {
            TestDirectories.delete(dir);
            dir = null;
        }
    }
}
