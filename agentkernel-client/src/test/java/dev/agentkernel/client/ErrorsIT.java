package dev.agentkernel.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Every exception type, caused by the real daemon. */
class ErrorsIT extends DaemonTestBase {

    @Test
    void validation400() {
        assertThatThrownBy(() -> client.run(List.of())).isInstanceOfSatisfying(ValidationException.class,
                e -> assertThat(e.status()).isEqualTo(400)).hasMessageContaining("command must not be empty");
        assertThatThrownBy(() -> client.createSandbox("bad name!")).isInstanceOf(ValidationException.class)
                .hasMessageContaining("invalid sandbox name 'bad name!'");
        assertThatThrownBy(() -> client.audit(0)).isInstanceOf(ValidationException.class)
                .hasMessageContaining("limit must be a whole number from 1 to 10000");
        String name = uniqueName("invalid");
        try (SandboxSession sb = client.sandbox(name)) {
            assertThatThrownBy(() -> sb.run(List.of("pwd"), ExecOptions.defaults().withWorkdir("relative/dir")))
                    .isInstanceOf(ValidationException.class).hasMessageContaining("workdir");
            assertThatThrownBy(() -> sb.readFile("/tmp")).isInstanceOf(ValidationException.class)
                    .hasMessageContaining("is a directory");
        }
    }

    @Test
    void validation413ForABodyOverTheServersLimit() {
        String name = uniqueName("big");
        try (SandboxSession sb = client.sandbox(name)) {
            String text = "a".repeat(17 << 20); // the test daemon takes JSON bodies of up to 16 MiB
            assertThatThrownBy(() -> sb.writeFile("/tmp/big.txt", text))
                    .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.status()).isEqualTo(413))
                    .hasMessageContaining("larger than the limit");
        }
    }

    @Test
    void validation413ForAFileTooLargeForJson() {
        String name = uniqueName("bigfile");
        try (SandboxSession sb = client.sandbox(name)) {
            sb.run("sh", "-c", "head -c 67108865 /dev/zero > /workspace/big"); // 64 MiB + 1: over the daemon's file limit
            assertThatThrownBy(() -> sb.readFile("/workspace/big"))
                    .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.status()).isEqualTo(413))
                    .hasMessageContaining("application/octet-stream");
        }
    }

    @Test
    void authentication401() {
        try (AgentKernel anonymous = AgentKernel.builder().environment(Map.of()).baseUrl(fx.baseUrl()).build()) {
            assertThatThrownBy(anonymous::listSandboxes).isInstanceOfSatisfying(AuthenticationException.class,
                    e -> assertThat(e.status()).isEqualTo(401)).hasMessageContaining("API key");
        }
    }

    @Test
    void permissionDenied403() {
        try (SandboxSession sb = client.sandbox(uniqueName("ro"))) {
            assertThatThrownBy(() -> sb.writeFile("/usr/evil", "x"))
                    .isInstanceOfSatisfying(PermissionDeniedException.class, e -> assertThat(e.status()).isEqualTo(403))
                    .hasMessageContaining("read-only");
            assertThatThrownBy(() -> sb.writeFile("/usr/evil", new byte[] {1}))
                    .isInstanceOf(PermissionDeniedException.class);
        }
    }

    @Test
    void notFound404() {
        assertThatThrownBy(() -> client.getSandbox("no-such-sandbox")).isInstanceOfSatisfying(NotFoundException.class,
                e -> assertThat(e.status()).isEqualTo(404)).hasMessageContaining("no-such-sandbox");
        assertThatThrownBy(() -> client.removeSandbox("no-such-sandbox")).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> client.execInSandbox("no-such-sandbox", List.of("true")))
                .isInstanceOf(NotFoundException.class);
        try (SandboxSession sb = client.sandbox(uniqueName("nf"))) {
            assertThatThrownBy(() -> sb.readFileBytes("/tmp/missing")).isInstanceOf(NotFoundException.class)
                    .hasMessageContaining("/tmp/missing");
            assertThatThrownBy(() -> sb.deleteFile("/tmp/missing")).isInstanceOf(NotFoundException.class);
            sb.writeFile("/tmp/no/dir/file", "x"); // missing parents are made, as the published clients expect
            assertThat(sb.readFileBytes("/tmp/no/dir/file")).asString().isEqualTo("x");
        }
        assertThatThrownBy(() -> client.writeFile("no-such-sandbox", "/tmp/x", "x")).isInstanceOf(NotFoundException.class);
    }

    @Test
    void conflict409() {
        String name = uniqueName("conflict");
        try (SandboxSession sb = client.sandbox(name)) {
            assertThatThrownBy(() -> client.createSandbox(name)).isInstanceOfSatisfying(ConflictException.class,
                    e -> assertThat(e.status()).isEqualTo(409)).hasMessageContaining("already exists");
            client.stopSandbox(name);
            assertThatThrownBy(() -> sb.run("true")).isInstanceOf(ConflictException.class)
                    .hasMessageContaining("start it first");
        }
    }

    @Test
    void resourceLimit429WhenTooManySandboxesRun() {
        DaemonFixture one = Daemons.open(); // runs one sandbox at a time
        try (AgentKernel c = one.client(); SandboxSession first = c.sandbox(uniqueName("only"))) {
            assertThatThrownBy(() -> c.sandbox(uniqueName("second")))
                    .isInstanceOfSatisfying(ResourceLimitException.class, e -> {
                        assertThat(e.status()).isEqualTo(429);
                        assertThat(e.code()).contains("resource_exhausted");
                        assertThat(e.retryable()).isTrue();
                    })
                    .hasMessageContaining("too many sandboxes running");
            assertThat(c.listSandboxes()).extracting(SandboxInfo::name).containsExactly(first.name());
        }
    }

    @Test
    void server503WhileTheDaemonShutsDown() throws Exception {
        DaemonFixture draining = DaemonFixture.start(List.of(), 0, c -> c.withShutdownGrace(Duration.ofSeconds(3)));
        String url = draining.baseUrl();
        try (AgentKernel c = draining.client()) {
            // A request in flight keeps the daemon draining for up to its grace period.
            CompletableFuture<?> longRun = CompletableFuture.runAsync(() -> {
                try {
                    c.run("sleep", "10");
                } catch (AgentKernelException expected) {
                    // cut off by the shutdown
                }
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (c.status().runs().running() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            CompletableFuture<Void> closing = CompletableFuture.runAsync(draining.daemon::close);
            AgentKernelException refused = null;
            while (refused == null && System.nanoTime() < deadline) {
                try {
                    c.health();
                    Thread.sleep(20);
                } catch (ServerException e) {
                    refused = e;
                }
            }
            assertThat(refused).as("a request while the daemon drains").isNotNull();
            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.retryable()).isTrue();
            assertThat(refused).hasMessageContaining("shutting down");
            closing.get(30, TimeUnit.SECONDS);
            longRun.get(30, TimeUnit.SECONDS);
        } finally {
            draining.close();
        }
        // A new client: a pooled connection of the old one may hold a stray response of the stopped server.
        try (AgentKernel c = AgentKernel.builder().environment(Map.of()).baseUrl(url).build()) {
            assertThatThrownBy(c::health).isInstanceOf(ConnectionException.class)
                    .hasMessageContaining("cannot connect");
        }
    }

    @Test
    void connectionFailureWithoutADaemon() throws Exception {
        int port;
        try (var socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        try (AsyncAgentKernel nobody = AsyncAgentKernel.builder().environment(Map.of())
                .baseUrl("http://127.0.0.1:" + port).build()) {
            assertThatThrownBy(() -> nobody.run("true").join()).cause().isInstanceOfSatisfying(ConnectionException.class,
                    e -> assertThat(e.status()).isZero()).hasMessageContaining("is the AgentKernel daemon running?");
        }
    }
}
