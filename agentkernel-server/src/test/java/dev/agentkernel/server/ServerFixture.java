package dev.agentkernel.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentkernel.core.backend.BackendSelector;
import dev.agentkernel.core.backend.IsolationBackend;
import dev.agentkernel.core.host.HostContext;
import dev.agentkernel.core.policy.PolicyResolver;
import dev.agentkernel.core.run.RunService;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
 * A real {@link ApiServer} on a free loopback port over a real bubblewrap backend with
 * private state and runtime directories, an {@link HttpClient} to drive it, and the host-side
 * checks that nothing was left behind (cgroups named after this JVM, runtime entries, child
 * processes).
 */
final class ServerFixture implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();
    static final long MAX_BODY = 16L * 1024 * 1024;
    static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup");
    /** Upper bound of any one HTTP exchange in these tests: a hang is a failure, not a stuck build. */
    static final Duration REQUEST_LIMIT = Duration.ofSeconds(60);

    final Path dir;
    final Path runtimeDir;
    final Daemon daemon;
    final RunService runs;
    final Port server;
    final List<String> keys;
    final HttpClient http;

    private ServerFixture(Path dir, Path runtimeDir, Daemon daemon, List<String> keys) {
        this.dir = dir;
        this.runtimeDir = runtimeDir;
        this.daemon = daemon;
        this.runs = daemon.runs();
        this.server = new Port(daemon.port());
        this.keys = keys;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** The port the fixture's server listens on. */
    record Port(int port) {
    }

    // ---- host requirements ---------------------------------------------------------------

    /**
     * Whether a test that cannot run must fail instead of skipping: {@code AGENTKERNEL_MUST_WORK=1}
     * (run-tests.sh as root, after installing everything) or {@code CI=true}, like bubblewrap's
     * {@code BWRAP_MUST_WORK}.
     */
    static boolean mustWork() {
        String must = System.getenv("AGENTKERNEL_MUST_WORK");
        return (must != null && !must.isBlank() && !must.equals("0")) || "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** Skips the calling test unless {@code condition}; fails instead when {@link #mustWork()}. */
    static void requireHost(boolean condition, String message) {
        if (mustWork()) {
            assertThat(condition).as(message + " (AGENTKERNEL_MUST_WORK or CI is set: a test that cannot run fails)")
                    .isTrue();
        }
        assumeTrue(condition, message);
    }

    /** Skips the calling test class unless this machine can run real sandboxes (fails instead when {@link #mustWork()}). */
    static void assumeSandboxHost() {
        requireHost(System.getProperty("os.name", "").equals("Linux"), "server integration tests need Linux");
        requireHost(isRoot(), "server integration tests need root: the bwrap backend creates cgroups under "
                + "/sys/fs/cgroup and starts bubblewrap as root (run them as root, e.g. through run-tests.sh)");
        requireHost(onPath("bwrap").isPresent(), "server integration tests need bubblewrap on PATH "
                + "(apt-get install -y bubblewrap)");
        requireHost(onPath("slirp4netns").isPresent(), "server integration tests need slirp4netns on PATH: the "
                + "default (moderate) profile has network (apt-get install -y slirp4netns)");
        requireHost(onPath("python3").isPresent(), "server integration tests run python3 in the sandbox "
                + "(apt-get install -y python3)");
        requireHost(onPath("ip").isPresent(), "server integration tests run 'ip -o link' in the sandbox to see its "
                + "network (apt-get install -y iproute2)");
    }

    static boolean isRoot() {
        try {
            return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    static Optional<Path> onPath(String program) {
        String path = System.getenv().getOrDefault("PATH", "") + ":/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin";
        for (String d : path.split(File.pathSeparator)) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, program))) {
                return Optional.of(Path.of(d, program));
            }
        }
        return Optional.empty();
    }

    // ---- start and stop ------------------------------------------------------------------

    /**
     * Starts a real daemon (bwrap backend, SQLite state) over private directories on port 0
     * with {@code keys} (empty: no authentication) and no warm pool (the cold path).
     */
    static ServerFixture start(int maxConcurrent, List<String> keys) throws IOException {
        return start(maxConcurrent, keys, 0);
    }

    /** Like {@link #start(int, List)} with {@code poolSize} warm sandboxes per key. */
    static ServerFixture start(int maxConcurrent, List<String> keys, int poolSize) throws IOException {
        return startIn(Files.createTempDirectory("ak-server-it-"), maxConcurrent, keys, poolSize, c -> c);
    }

    /**
     * Like {@link #start(int, List, int)} over {@code dir} (state in {@code dir/state}, runtime
     * entries in {@code dir/runtime}), which may hold the state of an earlier daemon (see
     * {@link #closeKeepingState()}), with the configuration changed by {@code customize}.
     */
    static ServerFixture startIn(Path dir, int maxConcurrent, List<String> keys, int poolSize,
                                 UnaryOperator<DaemonConfig> customize) throws IOException {
        Path state = Files.createDirectories(dir.resolve("state"));
        Path runtime = Files.createDirectories(dir.resolve("runtime"));
        HostContext host = HostContext.current().withDirs(state, runtime);
        DaemonConfig config = customize.apply(DaemonConfig.defaults(new ServerConfig("127.0.0.1", 0, keys, MAX_BODY))
                .withBackend(Optional.of("bwrap")).withMaxSandboxes(maxConcurrent).withPoolSize(poolSize)
                .withDefaultTimeout(Duration.ofMinutes(1)).withShutdownGrace(Duration.ofSeconds(2))
                .withSessions(dev.agentkernel.core.session.SessionSettings.defaults().withPoolPerTemplate(0)));
        Daemon daemon = Daemon.start(config, host);
        assertThat(daemon.backendName()).isEqualTo("bwrap");
        assertThat(daemon.port()).isPositive();
        return new ServerFixture(dir, runtime, daemon, keys);
    }

    URI uri(String path) {
        return uri(server.port(), path);
    }

    static URI uri(int port, String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.port();
    }

    /** The state directory of the daemon ({@code agentkernel.db}, {@code sandboxes/}). */
    Path stateDir() {
        return dir.resolve("state");
    }

    /**
     * Closes the daemon (gracefully, as at a shutdown) but keeps its directories, so that
     * {@link #startIn} can start the next daemon on them. Idempotent.
     */
    void closeKeepingState() {
        http.shutdownNow();
        daemon.close();
    }

    @Override
    public void close() throws IOException {
        http.shutdownNow();
        daemon.close();
        deleteTree(dir);
    }

    /** Deletes {@code dir} with everything in it, if it exists. */
    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    // ---- HTTP ------------------------------------------------------------------------------

    /** A finished HTTP exchange. */
    record Response(int status, HttpResponse<byte[]> raw) {
        String body() {
            return new String(raw.body(), StandardCharsets.UTF_8);
        }

        String contentType() {
            return raw.headers().firstValue("content-type").orElse("");
        }

        JsonNode json() {
            try {
                return JSON.readTree(raw.body());
            } catch (IOException e) {
                throw new AssertionError("response body is not JSON (status " + status + "): " + body(), e);
            }
        }

        JsonNode data() {
            JsonNode json = json();
            assertThat(json.path("success").asBoolean(false)).as("success in %s", body()).isTrue();
            return json.get("data");
        }

        @Override
        public String toString() {
            return status + " " + contentType() + " " + (body().length() > 2000 ? body().substring(0, 2000) + "..." : body());
        }
    }

    /**
     * The request builder with this server's key as {@code Authorization: Bearer} (when keys are on)
     * and {@code Content-Type: application/json} (replace it with {@code setHeader}).
     */
    HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(REQUEST_LIMIT)
                .setHeader("Content-Type", "application/json"); // what the API requires of bodies; setHeader overrides it
        if (!keys.isEmpty()) {
            b.header("Authorization", "Bearer " + keys.getFirst());
        }
        return b;
    }

    Response send(HttpRequest request) {
        try {
            HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            return new Response(r.statusCode(), r);
        } catch (IOException e) {
            throw new AssertionError("HTTP " + request.method() + " " + request.uri() + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    Response get(String path) {
        return send(request(path).GET().build());
    }

    Response post(String path, String json) {
        return send(request(path).setHeader("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8)).build());
    }

    /** {@code POST path} with {@code body} serialised to JSON. */
    Response postJson(String path, Object body) {
        try {
            return post(path, JSON.writeValueAsString(body));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code POST /run} of {@code {"command": argv}} plus {@code extra} fields. */
    Response run(List<String> argv, Map<String, ?> extra) {
        Map<String, Object> body = new java.util.LinkedHashMap<>(extra);
        body.put("command", argv);
        return postJson("/run", body);
    }

    // ---- host-side observations -------------------------------------------------------------

    static List<Path> cgroupParents() {
        return List.of(CGROUP_ROOT.resolve("memory/agentkernel"), CGROUP_ROOT.resolve("pids/agentkernel"),
                CGROUP_ROOT.resolve("cpu/agentkernel"), CGROUP_ROOT.resolve("cpu,cpuacct/agentkernel"),
                CGROUP_ROOT.resolve("unified/agentkernel"), CGROUP_ROOT.resolve("agentkernel"));
    }

    /** Cgroups named {@code <this jvm's owner tag>-*}. */
    static List<String> leftoverCgroups() {
        List<String> left = new ArrayList<>();
        String prefix = dev.agentkernel.core.host.OwnerTag.of(""); // "<this JVM's owner tag>-"
        for (Path parent : cgroupParents()) {
            if (!Files.isDirectory(parent)) {
                continue;
            }
            try (Stream<Path> groups = Files.list(parent)) {
                groups.filter(Files::isDirectory)
                        .filter(g -> g.getFileName().toString().startsWith(prefix))
                        .forEach(g -> left.add("cgroup " + g));
            } catch (IOException e) {
                left.add("cannot list " + parent + ": " + e);
            }
        }
        return left;
    }

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
                            .replace('\0', ' ');
                    if (cmdline.contains(marker)) {
                        String shown = cmdline.strip();
                        found.add(name + ": " + (shown.length() > 160 ? "..." + shown.substring(shown.length() - 160) : shown));
                    }
                } catch (IOException e) {
                    // exited meanwhile
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return found;
    }

    /**
     * The live descendants of this JVM that a daemon started: all but the test registries of
     * {@link dev.agentkernel.image.TestImages}, which live as long as this JVM.
     */
    static Stream<ProcessHandle> sandboxProcesses() {
        return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .filter(p -> !p.info().commandLine().orElse("").startsWith("/usr/bin/docker-registry serve "));
    }

    /** Cgroups of this JVM, runtime entries and live child processes. */
    List<String> leftovers() {
        List<String> left = new ArrayList<>(leftoverCgroups());
        try (Stream<Path> walk = Files.walk(runtimeDir)) {
            walk.filter(p -> !p.equals(runtimeDir))
                    .filter(p -> !dev.agentkernel.core.backend.BackendDirectories.isBackendsOwn(runtimeDir, p))
                    .filter(p -> !p.startsWith(runtimeDir.resolve("agent"))) // the agent binary stays
                    .filter(p -> !p.startsWith(runtimeDir.resolve("session"))) // so do the interpreter drivers
                    .filter(p -> !p.equals(runtimeDir.resolve("spool")))
                    .forEach(p -> left.add("runtime entry " + p));
        } catch (IOException e) {
            left.add("cannot walk " + runtimeDir + ": " + e);
        }
        sandboxProcesses().forEach(p -> left.add(
                "process " + p.pid() + " (parent " + p.parent().map(ProcessHandle::pid).orElse(-1L) + "): "
                        + p.info().commandLine().or(() -> p.info().command()).orElse("?")));
        return left;
    }

    /**
     * Waits up to {@code limit} for {@link #leftovers()} to be empty and the RunService to count
     * no running sandbox (a request's clean-up may still run for a moment after its response
     * was read, and the count drops only after the host resources are gone), then asserts both.
     */
    void awaitNothingLeftBehind(Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        List<String> left = leftovers();
        while ((!left.isEmpty() || runs.running() != 0) && System.nanoTime() < deadline) {
            sleep(50);
            left = leftovers();
        }
        assertThat(left).as("host resources left behind by finished requests").isEmpty();
        assertThat(runs.running()).as("sandboxes the RunService still counts as running").isZero();
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
