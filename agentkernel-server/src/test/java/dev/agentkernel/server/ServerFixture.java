package dev.agentkernel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentkernel.core.backend.BackendDirectories;
import dev.agentkernel.core.backend.BackendSelector;
import dev.agentkernel.core.backend.IsolationBackend;
import dev.agentkernel.core.host.HostContext;
import dev.agentkernel.core.host.OwnerTag;
import dev.agentkernel.core.policy.PolicyResolver;
import dev.agentkernel.core.run.RunService;
import dev.agentkernel.testing.HostLeftovers;
import dev.agentkernel.testing.SandboxHost;
import dev.agentkernel.testing.TestDirectories;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * A real {@link ApiServer} on a free loopback port over a real bubblewrap backend with
 * private state and runtime directories, an {@link HttpClient} to drive it, and the host-side
 * checks that nothing was left behind (cgroups named after this JVM, runtime entries, child
 * processes: {@link HostLeftovers}).
 */
final class ServerFixture implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();
    static final long MAX_BODY = 16L * 1024 * 1024;
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
     * Skips the calling test class unless this machine can run real sandboxes with what the
     * server's tests run in them (fails instead where tests must run: {@link SandboxHost#mustRun()}).
     */
    static void assumeSandboxHost() {
        SandboxHost.requireSandboxHost("server integration tests");
        SandboxHost.require(SandboxHost.onPath("slirp4netns").isPresent(), "server integration tests need slirp4netns "
                + "on PATH: the default (moderate) profile has network (apt-get install -y slirp4netns)");
        SandboxHost.require(SandboxHost.onPath("python3").isPresent(), "server integration tests run python3 in the "
                + "sandbox (apt-get install -y python3)");
        SandboxHost.require(SandboxHost.onPath("ip").isPresent(), "server integration tests run 'ip -o link' in the "
                + "sandbox to see its network (apt-get install -y iproute2)");
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
        return startIn(dir, maxConcurrent, keys, poolSize, customize, java.util.Map.of());
    }

    /** Like {@link #startIn(Path, int, List, int, UnaryOperator)}, as if the daemon's environment also held {@code env}. */
    static ServerFixture startIn(Path dir, int maxConcurrent, List<String> keys, int poolSize,
                                 UnaryOperator<DaemonConfig> customize, java.util.Map<String, String> env)
            throws IOException {
        Path state = Files.createDirectories(dir.resolve("state"));
        Path runtime = Files.createDirectories(dir.resolve("runtime"));
        HostContext current = HostContext.current();
        java.util.Map<String, String> merged = new java.util.LinkedHashMap<>(current.env());
        merged.putAll(env);
        HostContext host = new HostContext(state, runtime, current.root(), current.cpus(), merged);
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
        TestDirectories.delete(dir);
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

    /** Cgroups named {@code <this jvm's owner tag>-*}. */
    static List<String> leftoverCgroups() {
        return HostLeftovers.cgroups(OwnerTag.of(""));
    }

    /**
     * Cgroups of this JVM, runtime entries (but the backends' own directories, the agent binary,
     * the interpreter drivers and the output spool's directory) and live child processes (but the
     * test registries).
     */
    List<String> leftovers() {
        return HostLeftovers.find(OwnerTag.of(""), runtimeDir, p -> BackendDirectories.isBackendsOwn(runtimeDir, p)
                || p.startsWith(runtimeDir.resolve("agent")) // the agent binary stays
                || p.startsWith(runtimeDir.resolve("session")) // so do the interpreter drivers
                || p.equals(runtimeDir.resolve("spool")));
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
