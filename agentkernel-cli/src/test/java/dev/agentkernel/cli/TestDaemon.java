package dev.agentkernel.cli;


import dev.agentkernel.client.AgentKernel;
import dev.agentkernel.client.SandboxInfo;
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

/**
 * A real daemon ({@link Daemon}: bubblewrap sandboxes) in the test's JVM on a free loopback
 * port, over private state and runtime directories; {@link #close()} removes its sandboxes,
 * stops it and deletes the directories.
 */
final class TestDaemon implements AutoCloseable {

    final Path dir;
    final Daemon daemon;

    private TestDaemon(Path dir, Daemon daemon) {
        this.dir = dir;
        this.daemon = daemon;
    }

    /** Skips the calling tests unless this machine can run sandboxes. */
    static void assumeSandboxHost() {
        SandboxHost.requireSandboxHost("CLI integration tests against a daemon");
        SandboxHost.require(SandboxHost.onPath("slirp4netns").isPresent(), "CLI integration tests against a daemon "
                + "need slirp4netns on PATH (apt-get install -y slirp4netns)");
    }

    static TestDaemon start() throws IOException {
        return start(List.of());
    }

    /** A daemon that requires one of {@code keys} (none: no authentication). */
    static TestDaemon start(List<String> keys) throws IOException {
        return start(keys, c -> c);
    }

    /** A daemon that requires one of {@code keys}, its configuration changed by {@code customize}. */
    static TestDaemon start(List<String> keys, java.util.function.UnaryOperator<DaemonConfig> customize)
            throws IOException {
        Path dir = Files.createTempDirectory("ak-cli-daemon-it-");
        Path state = Files.createDirectories(dir.resolve("state"));
        Path runtime = Files.createDirectories(dir.resolve("runtime"));
        DaemonConfig config = customize.apply(DaemonConfig.defaults(new ServerConfig("127.0.0.1", 0, keys, 16L << 20))
                .withBackend(Optional.of("bwrap")).withPoolSize(0).withDefaultTimeout(Duration.ofMinutes(1))
                .withShutdownGrace(Duration.ofSeconds(2)));
        try {
            return new TestDaemon(dir, Daemon.start(config, HostContext.current().withDirs(state, runtime)));
        } catch (RuntimeException e) {
            TestDirectories.delete(dir);
            throw e;
        }
    }

    String url() {
        return "http://127.0.0.1:" + daemon.port();
    }

    AgentKernel client() {
        return AgentKernel.builder().environment(Map.of()).baseUrl(url()).build();
    }

    /** The names of the sandboxes left. */
    List<String> sandboxes() {
        try (AgentKernel client = client()) {
            return client.listSandboxes().stream().map(SandboxInfo::name).toList();
        }
    }

    /** Removes every sandbox. */
    void removeAll() {
        try (AgentKernel client = client()) {
            for (SandboxInfo s : client.listSandboxes()) {
                client.removeSandbox(s.name());
            }
        }
    }

    @Override
    public void close() throws IOException {
        try {
            removeAll();
        } catch (RuntimeException e) {
            // closed already, or the daemon is gone: its close below stops what is left
        }
        daemon.close();
        TestDirectories.delete(dir);
    }
}
