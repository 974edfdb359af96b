package dev.agentkernel.cli;

import dev.agentkernel.testing.TestDirectories;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * For the integration tests that run the launcher against one real daemon in this JVM per class
 * (the MCP clients): a temporary directory of the class, a {@link Launcher} with its private
 * state and runtime directories in it, and a {@link TestDaemon}. Registered as a static
 * {@code @RegisterExtension} field; the class's {@code @BeforeAll} calls {@link #start()} after
 * its own host checks ({@link TestDaemon#assumeSandboxHost()} first among them). After the
 * class's {@code @AfterAll} methods the daemon is closed and the directory deleted.
 */
final class LauncherDaemon implements AfterAllCallback {

    private final String prefix;
    private Path dir;
    private Launcher launcher;
    private TestDaemon daemon;

    /** A fixture in a new temporary directory named {@code prefix...}. */
    LauncherDaemon(String prefix) {
        this.prefix = prefix;
    }

    /** Creates the directory and the launcher's directories in it, then starts the daemon. */
    void start() throws IOException {
        dir = Files.createTempDirectory(prefix);
        launcher = new Launcher(dir);
        daemon = TestDaemon.start();
    }

    /** The class's temporary directory (the launcher's working directory). */
    Path dir() {
        return dir;
    }

    /** The launcher over the class's private state and runtime directories; null before {@link #start()}. */
    Launcher launcher() {
        return launcher;
    }

    TestDaemon daemon() {
        return daemon;
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        try {
            if (daemon != null) {
                daemon.close();
            }
        } finally {
            daemon = null;
            launcher = null;
            if (dir != null) {
                TestDirectories.delete(dir);
                dir = null;
            }
        }
    }
}
