package dev.agentkernel.client;

import dev.agentkernel.core.host.HostContext;
import dev.agentkernel.server.Daemon;
import dev.agentkernel.server.DaemonConfig;
import dev.agentkernel.server.ServerConfig;
import dev.agentkernel.testing.SandboxHost;
import dev.agentkernel.testing.TestDirectories;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * A real AgentKernel daemon ({@link Daemon}: bubblewrap sandboxes, SQLite state) in this JVM,
 * on a free loopback port over private state and runtime directories, which {@link #close()}
 * deletes.
 */
final class DaemonFixture implements AutoCloseable {

    final Path dir;
    final Daemon daemon;
    final List<String> keys;

    private DaemonFixture(Path dir, Daemon daemon, List<String> keys) {
        this.dir = dir;
        this.daemon = daemon;
        this.keys = keys;
    }

    /**
     * Skips the calling tests unless this machine can run real sandboxes with what the tests run in
     * them (fails instead where tests must run: {@link SandboxHost#mustRun()}).
     */
    static void assumeSandboxHost() {
        SandboxHost.requireSandboxHost("client integration tests");
        for (String tool : List.of("slirp4netns", "python3")) {
            SandboxHost.require(SandboxHost.onPath(tool).isPresent(), "client integration tests need " + tool
                    + " on PATH");
        }
    }

    /**
     * Starts a daemon with {@code keys} (empty: no authentication), {@code poolSize} warm
     * sandboxes, 2 s of shutdown grace, 1 min default command timeout, changed by {@code customize}.
     */
    static DaemonFixture start(List<String> keys, int poolSize, UnaryOperator<DaemonConfig> customize)
            throws IOException {
        Path dir = Files.createTempDirectory("ak-client-it-");
        Path state = Files.createDirectories(dir.resolve("state"));
        Path runtime = Files.createDirectories(dir.resolve("runtime"));
        DaemonConfig config = customize.apply(DaemonConfig.defaults(new ServerConfig("127.0.0.1", 0, keys, 16L << 20))
                .withBackend(Optional.of("bwrap")).withPoolSize(poolSize).withDefaultTimeout(Duration.ofMinutes(1))
                .withShutdownGrace(Duration.ofSeconds(2)));
        try {
            return new DaemonFixture(dir, Daemon.start(config, HostContext.current().withDirs(state, runtime)), keys);
        } catch (RuntimeException e) {
            TestDirectories.delete(dir);
            throw e;
        }
    }

    String baseUrl() {
        return "http://127.0.0.1:" + daemon.port();
    }

    /** A blocking client with this daemon's first key (if any), ignoring the environment. */
    AgentKernel client() {
        return AgentKernel.builder().environment(Map.of()).baseUrl(baseUrl())
                .apiKey(keys.isEmpty() ? null : keys.getFirst()).build();
    }

    /** An async client with this daemon's first key (if any), ignoring the environment. */
    AsyncAgentKernel asyncClient() {
        return AsyncAgentKernel.builder().environment(Map.of()).baseUrl(baseUrl())
                .apiKey(keys.isEmpty() ? null : keys.getFirst()).build();
    }

    @Override
    public void close() throws IOException {
        daemon.close();
        TestDirectories.delete(dir);
    }
}
