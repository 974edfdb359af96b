package dev.agentkernel.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A code session's life: created by its first execute, reused by the later ones, deleted by
 * {@code close()} whatever happens; blocking and async.
 */
class CodeSessionTest extends FakeServerTestBase {

    private final AtomicInteger created = new AtomicInteger();
    /** How long {@code POST /execute} takes to answer. */
    private volatile long delayMillis;

    @BeforeEach
    void routes() {
        // A new session gets ses-N; an existing one answers with its id. stdout echoes the code.
        server.on("POST", "/execute", c -> {
            JsonNode body = JSON.readTree(c.request.body());
            AgentKernelTest.sleep(delayMillis);
            boolean create = !body.hasNonNull("session_id");
            String id = create ? "ses-" + created.incrementAndGet() : body.get("session_id").asText();
            c.data(JSON.createObjectNode().put("session_id", id).put("template", "python").put("flavor", "small")
                    .put("session_created", create).put("state_lost", false).put("stdout", body.get("code").asText())
                    .put("stderr", "").put("success", true).putNull("error").put("execution_time_ms", 1).toString());
        });
        server.on("DELETE", "/sessions/ses-1", c -> c.data("{\"session_id\":\"ses-1\",\"deleted\":true}"));
    }

    private List<String> calls() {
        List<String> calls = new ArrayList<>();
        for (FakeServer.Request r : server.requests) {
            calls.add(r.method() + " " + r.rawPath() + (r.body().length > 0 ? " " + r.text() : ""));
        }
        return calls;
    }

    @Test
    void theFirstExecuteCreatesTheSessionTheOthersReuseItAndCloseDeletesIt() {
        CodeOptions options = CodeOptions.defaults().withTemplate("py").withFlavor("small")
                .withTimeout(Duration.ofSeconds(5)).withVolume("/srv:/data:ro");
        try (CodeSession s = client.codeSession(options)) {
            assertThat(s.id()).isEmpty();
            CodeResult first = s.execute("x = 1");
            assertThat(first.sessionCreated()).isTrue();
            assertThat(s.id()).contains("ses-1");
            CodeResult second = s.execute("x", Duration.ofMillis(1500));
            assertThat(second.sessionId()).isEqualTo("ses-1");
            assertThat(second.sessionCreated()).isFalse();
            assertThat(s.toString()).isEqualTo("CodeSession[ses-1]");
        }
        // Later calls send only the id: the session has its template and flavor, volumes are for new sessions.
        assertThat(calls()).containsExactly(
                "POST /execute {\"code\":\"x = 1\",\"template\":\"py\",\"flavor\":\"small\",\"timeout\":5,\"volumes\":[\"/srv:/data:ro\"]}",
                "POST /execute {\"code\":\"x\",\"session_id\":\"ses-1\",\"timeout\":1.5}",
                "DELETE /sessions/ses-1");
    }

    @Test
    void aSessionThatNeverRanSendsNothing() {
        CodeSession s = client.codeSession("python");
        assertThatThrownBy(s::info).isInstanceOf(IllegalStateException.class)
                .hasMessage("the code session does not exist yet: its first execute creates it");
        s.close();
        s.close();
        assertThat(server.requests).isEmpty();
        assertThatThrownBy(() -> s.execute("1")).isInstanceOf(IllegalStateException.class)
                .hasMessage("the code session is closed; open a new one with client.codeSession(...)");
    }

    @Test
    void theSessionIsDeletedWhenTheBodyThrows() {
        assertThatThrownBy(() -> {
            try (CodeSession s = client.codeSession("python")) {
                s.execute("x = 1");
                throw new IllegalStateException("the body failed");
            }
        }).isInstanceOf(IllegalStateException.class).hasNoSuppressedExceptions();
        assertThat(server.last().method()).isEqualTo("DELETE");
    }

    @Test
    void aFailedDeletionIsSuppressedIntoTheBodysExceptionAndCanBeRetried() {
        server.on("DELETE", "/sessions/ses-1", c -> c.json(503,
                "{\"success\":false,\"error\":\"shutting down\",\"code\":\"shutting_down\"}"));
        CodeSession[] held = new CodeSession[1];
        assertThatThrownBy(() -> {
            try (CodeSession s = client.codeSession("python")) {
                held[0] = s;
                s.execute("x = 1");
                throw new IllegalStateException("the body failed");
            }
        }).isInstanceOf(IllegalStateException.class)
                .satisfies(e -> assertThat(e.getSuppressed()).singleElement().isInstanceOf(ServerException.class));
        server.on("DELETE", "/sessions/ses-1", c -> c.data("{\"deleted\":true}"));
        held[0].close();
        held[0].close();
        assertThat(calls()).filteredOn(c -> c.startsWith("DELETE")).hasSize(2);
    }

    @Test
    void aSessionAlreadyGoneClosesQuietlyButAnotherNotFoundDoesNot() {
        server.on("DELETE", "/sessions/ses-1", c -> c.json(404,
                "{\"success\":false,\"error\":\"session 'ses-1' not found\",\"code\":\"session_not_found\"}"));
        CodeSession s = client.codeSession("python");
        s.execute("1");
        s.close();

        server.on("DELETE", "/sessions/ses-2", c -> c.json(404, "{\"success\":false,\"error\":\"no route\",\"code\":\"no_route\"}"));
        CodeSession t = client.codeSession("python");
        t.execute("1");
        assertThatThrownBy(t::close).isExactlyInstanceOf(NotFoundException.class);
    }

    @Test
    void aRefusedFirstExecuteLeavesNoSessionAndTheNextTriesAgain() {
        server.on("POST", "/execute", c -> c.json(429,
                "{\"success\":false,\"error\":\"too many sessions (10)\",\"code\":\"resource_limit\"}"));
        CodeSession s = client.codeSession("python");
        assertThatThrownBy(() -> s.execute("1")).isInstanceOfSatisfying(ResourceLimitException.class,
                e -> assertThat(e.retryable()).isTrue());
        assertThat(s.id()).isEmpty();
        server.on("POST", "/execute", c -> c.data(CodeSessionApiTest.RESULT));
        assertThat(s.execute("1").sessionId()).isEqualTo("ses-3f9c2a61d0b84e7f");
        server.on("DELETE", "/sessions/ses-3f9c2a61d0b84e7f", c -> c.data("{\"deleted\":true}"));
        s.close();
        assertThat(server.last().rawPath()).isEqualTo("/sessions/ses-3f9c2a61d0b84e7f");
    }

    @Test
    void concurrentFirstExecutesCreateOneSession() throws Exception {
        delayMillis = 300;
        try (CodeSession s = client.codeSession("python")) {
            List<CompletableFuture<CodeResult>> all = new ArrayList<>();
            try (var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < 4; i++) {
                    String code = "x" + i;
                    all.add(CompletableFuture.supplyAsync(() -> s.execute(code), threads));
                }
            }
            assertThat(all).allSatisfy(f -> assertThat(f.join().sessionId()).isEqualTo("ses-1"));
            assertThat(all.stream().filter(f -> f.join().sessionCreated()).count()).isEqualTo(1);
        }
        assertThat(created.get()).isEqualTo(1);
    }

    @Test
    void anExistingSessionIsTakenOverAndDeleted() {
        server.on("GET", "/sessions/ses-1", c -> c.data(CodeSessionApiTest.SESSION.replace("ses-3f9c2a61d0b84e7f", "ses-1")));
        try (CodeSession s = client.codeSession(CodeOptions.defaults().withSessionId("ses-1"))) {
            assertThat(s.id()).contains("ses-1");
            assertThat(s.execute("x").sessionCreated()).isFalse();
            assertThat(s.info().sessionId()).isEqualTo("ses-1");
        }
        assertThat(calls()).containsExactly("POST /execute {\"code\":\"x\",\"session_id\":\"ses-1\"}",
                "GET /sessions/ses-1", "DELETE /sessions/ses-1");
    }

    @Test
    void aRemovedSessionIsReportedNotReplaced() {
        try (CodeSession s = client.codeSession("python")) {
            s.execute("x = 1");
            server.on("POST", "/execute", c -> c.json(404,
                    "{\"success\":false,\"error\":\"session 'ses-1' not found\",\"code\":\"session_not_found\"}"));
            assertThatThrownBy(() -> s.execute("x")).isInstanceOf(SessionNotFoundException.class);
            assertThat(s.id()).contains("ses-1");
        }
        assertThat(created.get()).isEqualTo(1);
    }

    // ---- async ----------------------------------------------------------------------------

    @Test
    void asyncExecutionsRunInCallOrderAndCloseAsyncComesLast() {
        delayMillis = 200;
        try (AsyncAgentKernel async = server.asyncClient()) {
            AsyncCodeSession s = async.codeSession(CodeOptions.defaults().withTemplate("python"));
            CompletableFuture<CodeResult> a = s.execute("x = 1");
            CompletableFuture<CodeResult> b = s.execute("x += 1", Duration.ofSeconds(2));
            CompletableFuture<CodeResult> c = s.execute("x");
            CompletableFuture<Void> closed = s.closeAsync();
            closed.join();
            assertThat(a.join().sessionCreated()).isTrue();
            assertThat(b.join().sessionId()).isEqualTo("ses-1");
            assertThat(c.join().stdout()).isEqualTo("x");
            assertThat(s.id()).contains("ses-1");
            s.closeAsync().join(); // idempotent
        }
        assertThat(calls()).containsExactly("POST /execute {\"code\":\"x = 1\",\"template\":\"python\"}",
                "POST /execute {\"code\":\"x += 1\",\"session_id\":\"ses-1\",\"timeout\":2}",
                "POST /execute {\"code\":\"x\",\"session_id\":\"ses-1\"}",
                "DELETE /sessions/ses-1");
    }

    @Test
    void aFailedAsyncExecutionDoesNotStopTheNext() {
        try (AsyncAgentKernel async = server.asyncClient()) {
            AsyncCodeSession s = async.codeSession(CodeOptions.defaults());
            CompletableFuture<CodeResult> bad = s.execute(null);
            CompletableFuture<CodeResult> good = s.execute("1");
            assertThatThrownBy(bad::join).cause().isInstanceOf(NullPointerException.class);
            assertThat(good.join().sessionId()).isEqualTo("ses-1");
            s.close();
        }
        assertThat(server.last().method()).isEqualTo("DELETE");
    }

    @Test
    void cancellingAQueuedExecutionDoesNotWaitForTheOneBefore() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        server.on("POST", "/execute", c -> {
            try {
                release.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            c.data(CodeSessionApiTest.RESULT);
        });
        try (AsyncAgentKernel async = server.asyncClient()) {
            AsyncCodeSession s = async.codeSession(CodeOptions.defaults());
            CompletableFuture<CodeResult> first = s.execute("slow");
            CompletableFuture<CodeResult> second = s.execute("queued");
            assertThat(second.cancel(true)).isTrue();
            assertThat(second).isCancelled();
            release.countDown();
            assertThat(first.join().sessionId()).isEqualTo("ses-3f9c2a61d0b84e7f");
        }
        assertThat(calls()).filteredOn(c -> c.contains("queued")).isEmpty();
    }

    @Test
    void withCodeSessionDeletesTheSessionAfterTheBodyAndAfterAFailure() {
        try (AsyncAgentKernel async = server.asyncClient()) {
            CompletableFuture<String> out = async.withCodeSession(CodeOptions.defaults().withTemplate("python"),
                    s -> s.execute("x = 6 * 7").thenCompose(r -> s.execute("x")).thenApply(CodeResult::stdout));
            assertThat(out.join()).isEqualTo("x");
            assertThat(server.last().method() + " " + server.last().rawPath()).isEqualTo("DELETE /sessions/ses-1");

            server.on("DELETE", "/sessions/ses-2", c -> c.data("{\"deleted\":true}"));
            CompletableFuture<String> failed = async.withCodeSession(CodeOptions.defaults(),
                    s -> s.execute("1").thenApply(r -> {
                        throw new IllegalStateException("the body failed");
                    }));
            assertThatThrownBy(failed::join).cause().isInstanceOf(IllegalStateException.class)
                    .hasMessage("the body failed");
            assertThat(server.last().method() + " " + server.last().rawPath()).isEqualTo("DELETE /sessions/ses-2");

            // A body that never ran code leaves nothing to delete.
            CompletableFuture<Integer> nothing = async.withCodeSession(CodeOptions.defaults(),
                    s -> CompletableFuture.completedFuture(7));
            assertThat(nothing.join()).isEqualTo(7);
        }
        assertThat(created.get()).isEqualTo(2);
    }
}
