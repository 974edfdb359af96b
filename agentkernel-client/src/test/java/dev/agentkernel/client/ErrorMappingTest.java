package dev.agentkernel.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every HTTP status to its exception, with the server's message. */
class ErrorMappingTest extends FakeServerTestBase {

    @ParameterizedTest
    @CsvSource({
            "400, ValidationException, false",
            "413, ValidationException, false",
            "401, AuthenticationException, false",
            "403, PermissionDeniedException, false",
            "404, NotFoundException, false",
            "409, ConflictException, false",
            "429, ResourceLimitException, true",
            "500, ServerException, false",
            "502, ServerException, true",
            "503, ServerException, true",
            "504, ServerException, true",
            "405, ServerException, false",
            "418, ServerException, false",
    })
    void eachStatusHasItsException(int status, String type, boolean retryable) {
        server.on("GET", "/sandboxes/box", c -> c.json(status, "{\"success\":false,\"error\":\"message " + status + "\"}"));
        assertThatThrownBy(() -> client.getSandbox("box"))
                .isInstanceOfSatisfying(AgentKernelException.class, e -> {
                    assertThat(e.getClass().getSimpleName()).isEqualTo(type);
                    assertThat(e.status()).isEqualTo(status);
                    assertThat(e.getMessage()).isEqualTo("message " + status);
                    assertThat(e.retryable()).isEqualTo(retryable);
                    assertThat(e.toString()).isEqualTo(type + " (HTTP " + status + "): message " + status);
                });
    }

    @Test
    void theHierarchyIsClosedAndExhaustive() {
        AgentKernelException e = AgentKernelException.forStatus(404, null, "gone");
        String what = switch (e) {
            case ValidationException x -> "validation";
            case AuthenticationException x -> "auth";
            case PermissionDeniedException x -> "permission";
            case SessionNotFoundException x -> "no session";
            case NotFoundException x -> "not found";
            case ConflictException x -> "conflict";
            case ResourceLimitException x -> "limit";
            case CodeExecutionException x -> "code execution";
            case ServerException x -> "server";
            case ConnectionException x -> "connection";
        };
        assertThat(what).isEqualTo("not found");
        assertThat(e).isInstanceOf(RuntimeException.class);
    }

    @ParameterizedTest
    @CsvSource({
            "404, session_not_found, SessionNotFoundException",
            "404, not_found, NotFoundException",
            "404, no_route, NotFoundException",
            "500, code_execution_failed, CodeExecutionException",
            "500, internal, ServerException",
            "503, code_execution_failed, ServerException",
            "429, resource_limit, ResourceLimitException",
            "429, resource_exhausted, ResourceLimitException",
            "409, conflict, ConflictException",
            "400, invalid_request, ValidationException",
    })
    void theCodeRefinesTheTypeAndIsKept(int status, String code, String type) {
        server.on("POST", "/execute", c -> c.json(status,
                "{\"success\":false,\"error\":\"why\",\"code\":\"" + code + "\"}"));
        assertThatThrownBy(() -> client.executeCode("x = 1"))
                .isInstanceOfSatisfying(AgentKernelException.class, e -> {
                    assertThat(e.getClass().getSimpleName()).isEqualTo(type);
                    assertThat(e.status()).isEqualTo(status);
                    assertThat(e.code()).contains(code);
                    assertThat(e.getMessage()).isEqualTo("why");
                    assertThat(e.toString()).isEqualTo(type + " (HTTP " + status + ", " + code + "): why");
                });
    }

    @Test
    void theSubtypesAreCaughtAsTheirParents() {
        server.on("GET", "/sessions/ses-1", c -> c.json(404,
                "{\"success\":false,\"error\":\"session 'ses-1' not found\",\"code\":\"session_not_found\"}"));
        server.on("POST", "/execute", c -> c.json(500,
                "{\"success\":false,\"error\":\"python did not start\",\"code\":\"code_execution_failed\"}"));
        assertThatThrownBy(() -> client.getSession("ses-1")).isInstanceOf(NotFoundException.class)
                .isInstanceOf(SessionNotFoundException.class).hasMessage("session 'ses-1' not found");
        assertThatThrownBy(() -> client.executeCode("1")).isInstanceOfSatisfying(ServerException.class, e -> {
            assertThat(e).isInstanceOf(CodeExecutionException.class);
            assertThat(e.retryable()).isFalse();
        });
    }

    @Test
    void noCodeIsEmptyAndABlankOrNonTextCodeToo() {
        server.on("GET", "/sandboxes/a", c -> c.json(404, "{\"success\":false,\"error\":\"x\"}"));
        server.on("GET", "/sandboxes/b", c -> c.json(404, "{\"success\":false,\"error\":\"x\",\"code\":\" \"}"));
        server.on("GET", "/sandboxes/c", c -> c.json(404, "{\"success\":false,\"error\":\"x\",\"code\":7}"));
        for (String name : new String[] {"a", "b", "c"}) {
            assertThatThrownBy(() -> client.getSandbox(name)).isInstanceOfSatisfying(NotFoundException.class,
                    e -> assertThat(e.code()).isEmpty());
        }
        // A 404 whose code is not session_not_found is not a session's, even on a session route.
        server.on("GET", "/sessions/s", c -> c.json(404, "{\"success\":false,\"error\":\"no route\",\"code\":\"no_route\"}"));
        assertThatThrownBy(() -> client.getSession("s")).isExactlyInstanceOf(NotFoundException.class);
    }

    @Test
    void aSuccessEnvelopeOfFalseKeepsItsCode() {
        server.on("GET", "/sessions", c -> c.json(200, "{\"success\":false,\"error\":\"odd\",\"code\":\"internal\"}"));
        assertThatThrownBy(client::listSessions).isInstanceOfSatisfying(ServerException.class,
                e -> assertThat(e.code()).contains("internal"));
    }

    @Test
    void aNonApiErrorBodyIsQuotedWithTheStatus() {
        server.on("GET", "/sandboxes", c -> c.send(502, "text/html",
                "<html><body>Bad gateway</body></html>".getBytes(StandardCharsets.UTF_8)));
        assertThatThrownBy(client::listSandboxes).isInstanceOf(ServerException.class)
                .hasMessage("HTTP 502 from GET /sandboxes: <html><body>Bad gateway</body></html>");
    }

    @Test
    void anEmptyErrorBodyStillSaysWhatFailed() {
        server.on("DELETE", "/sandboxes/box", c -> c.send(404, null, new byte[0]));
        assertThatThrownBy(() -> client.removeSandbox("box")).isInstanceOf(NotFoundException.class)
                .hasMessage("HTTP 404 from DELETE /sandboxes/box");
    }

    @Test
    void aSuccessStatusWithoutASuccessEnvelopeIsAServerError() {
        server.on("GET", "/sandboxes", c -> c.json(200, "{\"success\":false,\"error\":\"odd\"}"));
        assertThatThrownBy(client::listSandboxes).isInstanceOf(ServerException.class).hasMessage("odd");

        server.on("GET", "/sandboxes", c -> c.json(200, "[1,2]"));
        assertThatThrownBy(client::listSandboxes).isInstanceOf(ServerException.class)
                .hasMessageContaining("not an AgentKernel API response (is the base URL right?)");
    }

    @Test
    void malformedDataIsAServerErrorNamingTheField() {
        server.on("GET", "/sandboxes/box", c -> c.data("{\"name\":\"box\",\"status\":7}"));
        assertThatThrownBy(() -> client.getSandbox("box")).isInstanceOfSatisfying(ServerException.class,
                        e -> assertThat(e.status()).isEqualTo(200))
                .hasMessageContaining("response to GET /sandboxes/box is malformed: status must be a string");

        server.on("GET", "/sandboxes/box/logs", c -> c.data("[{\"event\":\"x\",\"timestamp\":\"yesterday\"}]"));
        assertThatThrownBy(() -> client.logs("box")).isInstanceOf(ServerException.class)
                .hasMessageContaining("timestamp is not an ISO-8601 instant");
    }

    @Test
    void errorsOfRawRoutesAreMappedToo() {
        server.on("GET", "/sandboxes/box/files/nope", c -> c.json(404, "{\"success\":false,\"error\":\"no file\"}"));
        server.on("PUT", "/sandboxes/box/files/usr/x", c -> c.json(403, "{\"success\":false,\"error\":\"read-only\"}"));
        assertThatThrownBy(() -> client.readFileBytes("box", "/nope")).isInstanceOf(NotFoundException.class)
                .hasMessage("no file");
        assertThatThrownBy(() -> client.writeFile("box", "/usr/x", new byte[] {1}))
                .isInstanceOf(PermissionDeniedException.class).hasMessage("read-only");
    }

    @Test
    void theUnauthorizedMessageOfTheServerIsKept() {
        server.on("POST", "/run", c -> c.json(401, "{\"success\":false,\"error\":\"missing or invalid API key\"}"));
        assertThatThrownBy(() -> client.run("true")).isInstanceOfSatisfying(AuthenticationException.class,
                e -> assertThat(e.status()).isEqualTo(401)).hasMessage("missing or invalid API key");
    }

    @Test
    void exceptionsCanBeMadeForTestDoubles() {
        assertThat(new NotFoundException("x").status()).isEqualTo(404);
        assertThat(new ValidationException(413, "big").status()).isEqualTo(413);
        assertThat(new ConnectionException("down", null).toString()).isEqualTo("ConnectionException: down");
        assertThat(Map.of("k", new ServerException(503, "busy").retryable())).containsEntry("k", true);
        assertThat(new ServerException(429, "old style").retryable()).isFalse();
        assertThat(new ResourceLimitException("full").retryable()).isTrue();
        assertThat(new ResourceLimitException("full").status()).isEqualTo(429);
        assertThat(new SessionNotFoundException("gone").code()).contains("session_not_found");
        assertThat(new SessionNotFoundException("gone").status()).isEqualTo(404);
        assertThat(new CodeExecutionException("no python").code()).contains("code_execution_failed");
        assertThat(new CodeExecutionException("no python").status()).isEqualTo(500);
        assertThat(new NotFoundException("x").code()).isEmpty();
        assertThat(new ConnectionException("down", null).code()).isEmpty();
    }
}
