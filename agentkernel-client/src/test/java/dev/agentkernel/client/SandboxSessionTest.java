package dev.agentkernel.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The session's life: created by {@code sandbox()}, removed by {@code close()}, whatever happens. */
class SandboxSessionTest extends FakeServerTestBase {

    private static final String INFO = "{\"name\":\"box\",\"status\":\"running\",\"backend\":\"bwrap\"}";
    @BeforeEach
    void routes() {
        server.on("POST", "/sandboxes", c -> c.json(201, "{\"success\":true,\"data\":" + INFO + "}"));
        server.on("DELETE", "/sandboxes/box", c -> c.data("\"Removed sandbox 'box'\""));
    }

    private List<String> calls() {
        return server.requests.stream().map(r -> r.method() + " " + r.rawPath()).toList();
    }

    @Test
    void theSessionRunsInItsSandboxAndRemovesIt() {
        server.on("POST", "/sandboxes/box/exec", c -> c.data("{\"output\":\"hi\\n\",\"exit_code\":0}"));
        server.on("PUT", "/sandboxes/box/files/workspace/a.txt", c -> c.data("\"Wrote\""));
        server.on("GET", "/sandboxes/box/files/workspace/a.txt",
                c -> c.data("{\"content\":\"a\",\"encoding\":\"utf8\",\"size\":1}"));
        server.on("DELETE", "/sandboxes/box/files/workspace/a.txt", c -> c.data("\"Deleted\""));
        server.on("GET", "/sandboxes/box", c -> c.data(INFO));
        server.on("GET", "/sandboxes/box/logs", c -> c.data("[]"));
        try (SandboxSession sb = client.sandbox("box", SandboxOptions.defaults().withMemoryMb(128))) {
            assertThat(sb.name()).isEqualTo("box");
            assertThat(sb.run("echo", "hi").output()).isEqualTo("hi\n");
            sb.writeFile("/workspace/a.txt", "a");
            assertThat(sb.readFile("/workspace/a.txt").text()).isEqualTo("a");
            sb.deleteFile("/workspace/a.txt");
            assertThat(sb.info().name()).isEqualTo("box");
            assertThat(sb.logs()).isEmpty();
        }
        assertThat(calls()).first().isEqualTo("POST /sandboxes");
        assertThat(calls()).last().isEqualTo("DELETE /sandboxes/box");
        assertThat(server.requests.getFirst().text()).isEqualTo("{\"name\":\"box\",\"memory_mb\":128}");
    }

    @Test
    void theSandboxIsRemovedWhenTheBodyThrows() {
        assertThatThrownBy(() -> {
            try (SandboxSession sb = client.sandbox("box")) {
                throw new IllegalStateException("the body failed");
            }
        }).isInstanceOf(IllegalStateException.class).hasNoSuppressedExceptions();
        assertThat(calls()).containsExactly("POST /sandboxes", "DELETE /sandboxes/box");
    }

    @Test
    void aFailedRemovalIsSuppressedIntoTheBodysException() {
        server.on("DELETE", "/sandboxes/box", c -> c.json(500, "{\"success\":false,\"error\":\"cannot remove\"}"));
        assertThatThrownBy(() -> {
            try (SandboxSession sb = client.sandbox("box")) {
                throw new IllegalStateException("the body failed");
            }
        }).isInstanceOf(IllegalStateException.class)
                .satisfies(e -> assertThat(e.getSuppressed()).singleElement().isInstanceOf(ServerException.class));
    }

    @Test
    void closeIsIdempotentAndASandboxAlreadyGoneIsFine() {
        server.on("DELETE", "/sandboxes/box", c -> c.json(404, "{\"success\":false,\"error\":\"gone\"}"));
        SandboxSession sb = client.sandbox("box");
        sb.close();
        sb.close();
        assertThat(calls()).containsExactly("POST /sandboxes", "DELETE /sandboxes/box");
    }

    @Test
    void aFailedCloseCanBeRetried() {
        server.on("DELETE", "/sandboxes/box", c -> c.json(503, "{\"success\":false,\"error\":\"shutting down\"}"));
        SandboxSession sb = client.sandbox("box");
        assertThatThrownBy(sb::close).isInstanceOf(ServerException.class);
        server.on("DELETE", "/sandboxes/box", c -> c.data("\"Removed\""));
        sb.close();
        assertThat(calls()).containsExactly("POST /sandboxes", "DELETE /sandboxes/box", "DELETE /sandboxes/box");
    }

    @Test
    void aRefusedCreationLeavesNothingToRemove() {
        server.on("POST", "/sandboxes", c -> c.json(409, "{\"success\":false,\"error\":\"sandbox 'box' already exists\"}"));
        assertThatThrownBy(() -> client.sandbox("box")).isInstanceOf(ConflictException.class);
        assertThat(calls()).containsExactly("POST /sandboxes");
    }

    @Test
    void aCreationWithoutAnswerIsUndoneJustInCase() {
        server.on("POST", "/sandboxes", c -> {
            AgentKernelTest.sleep(1500);
            c.json(201, "{\"success\":true,\"data\":" + INFO + "}");
        });
        AgentKernel quick = client.withTimeout(java.time.Duration.ofMillis(400));
        assertThatThrownBy(() -> quick.sandbox("box")).isInstanceOf(ConnectionException.class);
        assertThat(calls()).containsExactly("POST /sandboxes", "DELETE /sandboxes/box");
    }
}
