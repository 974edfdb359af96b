package dev.agentkernel.server;

import dev.agentkernel.testing.TestDirectories;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real daemon per test class in a temporary directory of the class's own, for the
 * integration tests that put something beside the daemon (a tools directory, a directory it
 * may mount) or configure it their own way. Registered as a static {@code @RegisterExtension}
 * field: before the class's {@code @BeforeAll} methods it skips the class unless the host can
 * run real sandboxes ({@link ServerFixture#assumeSandboxHost()}, which fails instead where a
 * test must work) and creates the directory; those methods fill it ({@link #createDirectories})
 * and {@link #start} the daemon, its state and runtime directories in {@code daemon/}. After the
 * class's {@code @AfterAll} methods it closes the daemon it started last and deletes the
 * directory.
 */
final class DaemonHome implements BeforeAllCallback, AfterAllCallback {

    private final String prefix;
    private Path dir;
    private ServerFixture fx;

    /** A home in a new temporary directory named {@code prefix...}. */
    DaemonHome(String prefix) {
        this.prefix = prefix;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        ServerFixture.assumeSandboxHost();
        dir = Files.createTempDirectory(prefix);
    }

    /** The class's temporary directory. */
    Path dir() {
        return dir;
    }

    /** Creates {@code name} (and its parents) in the class's directory; the directory. */
    Path createDirectories(String name) throws IOException {
        return Files.createDirectories(dir.resolve(name));
    }

    /**
     * Starts a daemon on {@code daemon/} of the class's directory (see {@link ServerFixture#startIn});
     * a second call after {@link ServerFixture#closeKeepingState()} starts the next daemon on
     * the same state, and that one is closed after the class.
     */
    ServerFixture start(int maxConcurrent, List<String> keys, int poolSize, UnaryOperator<DaemonConfig> customize)
            throws IOException {
        fx = ServerFixture.startIn(dir.resolve("daemon"), maxConcurrent, keys, poolSize, customize);
        return fx;
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        try {
            if (fx != null) {
                fx.close();
            }
        } finally {
            fx = null;
            if (dir != null) {
                TestDirectories.delete(dir);
                dir = null;
            }
        }
    }
}
