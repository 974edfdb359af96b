package dev.agentkernel.client;

import dev.agentkernel.testing.TestDirectories;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The daemons the integration tests share, each started once per test run and closed at its
 * end (they are values of the root store): {@link #keyed()}, with an API key, the warm pool and
 * 32 sandboxes; {@link #open()}, without keys, no pool and one sandbox at a time (to reach the
 * limit). Skips the test class unless this machine can run real sandboxes.
 */
final class Daemons implements BeforeAllCallback {

    static final String KEY = "it-client-key-5d1e";
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(Daemons.class);
    private static ExtensionContext.Store store;

    @Override
    public void beforeAll(ExtensionContext context) {
        DaemonFixture.assumeSandboxHost();
        store = context.getRoot().getStore(NAMESPACE);
    }

    /** A daemon that requires {@link #KEY}: pool of 1, 32 sandboxes, the tool library {@code stats} for tasks. */
    static DaemonFixture keyed() {
        return get("keyed", List.of(KEY), 1, c -> c.withTasks(dev.agentkernel.server.TaskConfig.defaults()
                .withToolsDir(tools())));
    }

    /** A tools directory with {@code stats.py}, deleted at the end of the run. */
    private static java.nio.file.Path tools() {
        return store.getOrComputeIfAbsent("tools", n -> {
            try {
                java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("ak-client-it-tools-");
                java.nio.file.Files.writeString(dir.resolve("stats.py"), """
                        \"\"\"Small statistics for tasks.\"\"\"


                        def mean(xs):
                            \"\"\"The arithmetic mean of a list of numbers.\"\"\"
                            return sum(xs) / len(xs)
                        """);
                return new ToolsDir(dir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, ToolsDir.class).dir();
    }

    /** A temporary tools directory, deleted when the run's store closes. */
    private record ToolsDir(java.nio.file.Path dir) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            TestDirectories.delete(dir);
        }
    }

    /** A daemon without authentication that runs one sandbox at a time, no pool. */
    static DaemonFixture open() {
        return get("open", List.of(), 0, c -> c.withMaxSandboxes(1));
    }

    private static DaemonFixture get(String name, List<String> keys, int pool,
                                     UnaryOperator<dev.agentkernel.server.DaemonConfig> customize) {
        return store.getOrComputeIfAbsent(name, n -> {
            try {
                return DaemonFixture.start(keys, pool, customize);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, DaemonFixture.class);
    }
}
