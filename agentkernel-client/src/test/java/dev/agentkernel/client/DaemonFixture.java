package dev.agentkernel.client;


import dev.agentkernel.core.host.HostContext;
import dev.agentkernel.server.Daemon;
import dev.agentkernel.server.DaemonConfig;
import dev.agentkernel.server.ServerConfig;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

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
     * Skips the calling test unless {@code condition}; with {@code AGENTKERNEL_MUST_WORK=1} (run-tests.sh
     * as root) or {@code CI=true} a test that cannot run fails instead.
     */
    static void requireHost(boolean condition, String message) {
        String must = System.getenv("AGENTKERNEL_MUST_WORK");
        if ((must != null && !must.isBlank() && !must.equals("0")) || "true".equalsIgnoreCase(System.getenv("CI"))) {
            org.assertj.core.api.Assertions.assertThat(condition)
                    .as(message + " (AGENTKERNEL_MUST_WORK or CI is set: a test that cannot run fails)").isTrue();
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(condition, message);
    }

    /** Skips the calling tests unless this machine can run real sandboxes. */
    static void assumeSandboxHost() {
        requireHost(System.getProperty("os.name", "").equals("Linux"), "integration tests need Linux");
        requireHost(isRoot(), "integration tests need root: the bwrap backend creates cgroups (run as root)");
        for (String tool : List.of("bwrap", "slirp4netns", "python3")) {
            requireHost(onPath(tool), "integration tests need " + tool + " on PATH");
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
            delete(dir);
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
        delete(dir);
    }

    private static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    // ---- host observations ----------------------------------------------------------------

    /** Command lines of every host process (but this JVM) whose command line contains {@code marker}. */
    static List<String> hostProcessesMentioning(String marker) {
        List<String> found = new ArrayList<>();
        long self = ProcessHandle.current().pid();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.toList()) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit) || Long.parseLong(name) == self) {
                    continue;
                }
                try {
                    String cmdline = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8)
                            .replace('\0', ' ').strip();
                    if (cmdline.contains(marker)) {
                        found.add(name + ": " + cmdline);
                    }
                } catch (IOException e) {
                    // it exited meanwhile
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return found;
    }

    /** Waits up to {@code limit} for no host process to mention {@code marker}; returns those left. */
    static List<String> awaitNoProcessMentioning(String marker, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        List<String> left = hostProcessesMentioning(marker);
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
            left = hostProcessesMentioning(marker);
        }
        return left;
    }

    /** Waits up to {@code limit} for a host process to mention {@code marker}. */
    static boolean awaitProcessMentioning(String marker, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (!hostProcessesMentioning(marker).isEmpty()) {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }

    private static boolean isRoot() {
        try {
            return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static boolean onPath(String program) {
        String path = System.getenv().getOrDefault("PATH", "") + ":/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin";
        for (String d : path.split(File.pathSeparator)) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, program))) {
                return true;
            }
        }
        return false;
    }
}
