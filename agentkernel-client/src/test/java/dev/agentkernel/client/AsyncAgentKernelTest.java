package dev.agentkernel.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The async client against a fake server: futures, failures, cancellation, streaming, sessions. */
class AsyncAgentKernelTest {

    private static final String INFO = "{\"name\":\"box\",\"status\":\"running\",\"backend\":\"bwrap\"}";
    private FakeServer server;
    private AsyncAgentKernel client;

    @BeforeEach
    void start() throws Exception {
        server = new FakeServer();
        client = server.asyncClient();
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
    }

    @Test
    void callsRunConcurrently() {
        CountDownLatch both = new CountDownLatch(2);
        server.on("POST", "/run", c -> {
            both.countDown();
            try {
                // Each answer waits for the other request to arrive: only concurrent calls finish.
                assertThat(both.await(5, TimeUnit.SECONDS)).isTrue();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            c.data("{\"output\":\"ok\"}");
        });
        CompletableFuture<RunResult> a = client.run("echo", "a");
        CompletableFuture<RunResult> b = client.run(List.of("echo", "b"));
        assertThat(a.join().output()).isEqualTo("ok");
        assertThat(b.join().output()).isEqualTo("ok");
    }

    @Test
    void failuresCompleteTheFutureWithTheClientsException() {
        server.on("GET", "/sandboxes/nope", c -> c.json(404, "{\"success\":false,\"error\":\"sandbox 'nope' not found\"}"));
        CompletableFuture<SandboxInfo> f = client.getSandbox("nope");
        assertThatThrownBy(f::join).isInstanceOf(CompletionException.class)
                .cause().isInstanceOf(NotFoundException.class).hasMessage("sandbox 'nope' not found");
    }

    @Test
    void argumentErrorsAlsoArriveThroughTheFuture() {
        CompletableFuture<Void> f = client.deleteFile("box", "/a/../b");
        assertThatThrownBy(f::join).cause().isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void cancellingAFutureAbortsItsRequest() throws Exception {
        CountDownLatch arrived = new CountDownLatch(1);
        server.on("POST", "/sandboxes/box/exec", c -> {
            // A response that takes 10 s to arrive, written in pieces: a write fails once the client has left.
            c.exchange.getResponseHeaders().set("Content-Type", "application/json");
            c.exchange.sendResponseHeaders(200, 0);
            OutputStream out = c.exchange.getResponseBody();
            arrived.countDown();
            for (int i = 0; i < 200; i++) {
                out.write(' ');
                out.flush();
                AgentKernelTest.sleep(50);
            }
            out.write("{\"success\":true,\"data\":{\"output\":\"late\"}}".getBytes());
            out.close();
        });
        CompletableFuture<RunResult> f = client.execInSandbox("box", List.of("sleep", "3"), ExecOptions.defaults());
        assertThat(arrived.await(5, TimeUnit.SECONDS)).isTrue();
        long start = System.nanoTime();
        assertThat(f.cancel(true)).isTrue();
        assertThat(f).isCancelled();
        // The connection is closed: the server's next writes fail.
        assertThat(server.awaitRouteFailure(5000)).isInstanceOf(IOException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void everyCallMapsItsResponse() {
        server.on("GET", "/health", c -> c.json(200, "{\"success\":true,\"data\":\"ok\"}"));
        server.on("GET", "/status", c -> c.data("{\"version\":\"v\",\"uptime_ms\":1,\"backend\":\"bwrap\"}"));
        server.on("GET", "/sandboxes", c -> c.data("[" + INFO + "]"));
        server.on("POST", "/sandboxes", c -> c.json(201, "{\"success\":true,\"data\":" + INFO + "}"));
        server.on("GET", "/sandboxes/box", c -> c.data(INFO));
        server.on("POST", "/sandboxes/box/start", c -> c.data(INFO));
        server.on("POST", "/sandboxes/box/stop", c -> c.data(INFO.replace("running", "stopped")));
        server.on("DELETE", "/sandboxes/box", c -> c.data("\"Removed\""));
        server.on("GET", "/sandboxes/box/files/f", c -> c.data("{\"content\":\"t\",\"encoding\":\"utf8\",\"size\":1}"));
        server.on("PUT", "/sandboxes/box/files/f", c -> c.data("\"Wrote\""));
        server.on("DELETE", "/sandboxes/box/files/f", c -> c.data("\"Deleted\""));
        server.on("GET", "/sandboxes/box/logs", c -> c.data("[]"));
        server.on("GET", "/audit", c -> c.data("[]"));
        server.on("POST", "/batch/run", c -> c.data("{\"results\":[{\"output\":null,\"error\":\"e\"}]}"));

        assertThat(client.health().join()).isEqualTo("ok");
        assertThat(client.status().join().backend()).isEqualTo("bwrap");
        assertThat(client.listSandboxes().join()).hasSize(1);
        assertThat(client.createSandbox("box", SandboxOptions.defaults()).join().name()).isEqualTo("box");
        assertThat(client.getSandbox("box").join().running()).isTrue();
        assertThat(client.startSandbox("box").join().running()).isTrue();
        assertThat(client.stopSandbox("box").join().running()).isFalse();
        assertThat(client.readFile("box", "/f").join().text()).isEqualTo("t");
        assertThat(client.writeFile("box", "/f", "t").join()).isNull();
        assertThat(client.writeFile("box", "/f", new byte[] {1}).join()).isNull();
        assertThat(client.deleteFile("box", "/f").join()).isNull();
        assertThat(client.logs("box").join()).isEmpty();
        assertThat(client.audit(5).join()).isEmpty();
        assertThat(client.batchRun(List.of(BatchCommand.of("x"))).join()).containsExactly(new BatchResult.Failed("e"));
        assertThat(client.removeSandbox("box").join()).isNull();
    }

    @Test
    void streamingDeliversEveryEventAndCompletesWithDone() {
        server.on("POST", "/run/stream", c -> {
            try (OutputStream out = c.events()) {
                EventStreamTest.write(out, "event: started\ndata: {\"sandbox\":\"s\"}\n\n"
                        + "event: output\ndata: {\"data\":\"x\",\"stream\":\"stdout\"}\n\n"
                        + "event: done\ndata: {\"exit_code\":7}\n\n", 5, 0);
            }
        });
        List<StreamEvent> seen = new CopyOnWriteArrayList<>();
        StreamEvent.Done done = client.runStream(List.of("x"), RunOptions.defaults(), seen::add).join();
        assertThat(done).isEqualTo(new StreamEvent.Done(7, Optional.empty()));
        assertThat(seen).containsExactly(new StreamEvent.Started("s"), new StreamEvent.Output("stdout", "x"), done);
    }

    @Test
    void anErrorEventFailsTheStreamFuture() {
        server.on("POST", "/run/stream", c -> {
            try (OutputStream out = c.events()) {
                EventStreamTest.write(out, "event: error\ndata: {\"message\":\"no sandbox\"}\n\n", 100, 0);
            }
        });
        List<StreamEvent> seen = new CopyOnWriteArrayList<>();
        CompletableFuture<StreamEvent.Done> f = client.runStream(List.of("x"), RunOptions.defaults(), seen::add);
        assertThatThrownBy(f::join).cause().isInstanceOfSatisfying(ServerException.class,
                e -> assertThat(e.status()).isZero()).hasMessage("no sandbox");
        assertThat(seen).containsExactly(new StreamEvent.Error("no sandbox"));
    }

    @Test
    void cancellingAStreamClosesItsConnection() throws Exception {
        CountDownLatch serverSawTheEnd = new CountDownLatch(1);
        server.on("POST", "/run/stream", c -> {
            OutputStream out = c.events();
            try {
                EventStreamTest.write(out, "event: started\ndata: {\"sandbox\":\"s\"}\n\n", 1000, 0);
                for (int i = 0; i < 200; i++) {
                    AgentKernelTest.sleep(50);
                    out.write(": keep-alive\n\n".getBytes());
                    out.flush();
                }
            } catch (IOException e) {
                serverSawTheEnd.countDown();
            }
        });
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<StreamEvent.Done> f = client.runStream(List.of("sleep", "100"), RunOptions.defaults(),
                e -> started.countDown());
        assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
        f.cancel(true);
        assertThat(serverSawTheEnd.await(5, TimeUnit.SECONDS)).as("the server noticed the client left").isTrue();
    }

    @Test
    void withSandboxRemovesTheSandboxAfterSuccessAndAfterFailure() {
        server.on("POST", "/sandboxes", c -> c.json(201, "{\"success\":true,\"data\":" + INFO + "}"));
        server.on("POST", "/sandboxes/box/exec", c -> c.data("{\"output\":\"hi\\n\",\"exit_code\":0}"));
        server.on("DELETE", "/sandboxes/box", c -> c.data("\"Removed\""));

        String out = client.withSandbox("box", SandboxOptions.defaults(),
                sb -> sb.run(List.of("echo", "hi")).thenApply(RunResult::output)).join();
        assertThat(out).isEqualTo("hi\n");
        assertThat(server.last().method() + " " + server.last().rawPath()).isEqualTo("DELETE /sandboxes/box");

        server.requests.clear();
        CompletableFuture<String> failed = client.withSandbox("box", SandboxOptions.defaults(), sb -> {
            throw new IllegalStateException("body failed");
        });
        assertThatThrownBy(failed::join).cause().isInstanceOf(IllegalStateException.class).hasMessage("body failed");
        assertThat(server.requests).extracting(r -> r.method() + " " + r.rawPath())
                .containsExactly("POST /sandboxes", "DELETE /sandboxes/box");
    }

    @Test
    void aFailedRemovalIsSuppressedIntoTheBodysFailure() {
        server.on("POST", "/sandboxes", c -> c.json(201, "{\"success\":true,\"data\":" + INFO + "}"));
        server.on("DELETE", "/sandboxes/box", c -> c.json(500, "{\"success\":false,\"error\":\"cannot remove\"}"));
        CompletableFuture<Object> f = client.withSandbox("box", SandboxOptions.defaults(),
                sb -> CompletableFuture.failedFuture(new ConflictException("stopped")));
        assertThatThrownBy(f::join).cause().isInstanceOf(ConflictException.class)
                .satisfies(e -> assertThat(e.getSuppressed()).singleElement()
                        .isInstanceOf(ServerException.class).hasFieldOrPropertyWithValue("message", "cannot remove"));
    }

    @Test
    void asyncSessionsWorkAndCloseRemoves() {
        server.on("POST", "/sandboxes", c -> c.json(201, "{\"success\":true,\"data\":" + INFO + "}"));
        server.on("GET", "/sandboxes/box", c -> c.data(INFO));
        server.on("GET", "/sandboxes/box/files/f", c -> c.send(200, "application/octet-stream", new byte[] {5}));
        server.on("PUT", "/sandboxes/box/files/f", c -> c.data("\"Wrote\""));
        server.on("DELETE", "/sandboxes/box/files/f", c -> c.data("\"Deleted\""));
        server.on("GET", "/sandboxes/box/logs", c -> c.data("[]"));
        server.on("DELETE", "/sandboxes/box", c -> c.data("\"Removed\""));
        try (AsyncSandboxSession sb = client.sandbox("box", SandboxOptions.defaults()).join()) {
            assertThat(sb.name()).isEqualTo("box");
            assertThat(sb.info().join().running()).isTrue();
            sb.writeFile("/f", "x").join();
            sb.writeFile("/f", new byte[] {5}).join();
            assertThat(sb.readFileBytes("/f").join()).containsExactly(5);
            assertThat(sb.logs().join()).isEmpty();
            sb.deleteFile("/f").join();
        }
        assertThat(server.last().method() + " " + server.last().rawPath()).isEqualTo("DELETE /sandboxes/box");
    }

    @Test
    void aClosedClientFailsItsFutures() {
        client.close();
        assertThatThrownBy(() -> client.health().join()).cause().isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void aViewSharesTheClient() {
        server.on("GET", "/health", c -> c.json(200, "{\"success\":true,\"data\":\"ok\"}"));
        AsyncAgentKernel view = client.withTimeout(Duration.ofSeconds(2));
        view.close();
        assertThat(view.health().join()).isEqualTo("ok");
    }
}
