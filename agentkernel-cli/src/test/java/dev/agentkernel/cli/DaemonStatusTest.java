package dev.agentkernel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code daemon status} against a canned HTTP server standing in for the daemon (the
 * daemon's pid is this test's own, declared alive).
 */
class DaemonStatusTest {

    private static final String FULL = """
            {"success": true, "data": {"version": "0.1.0", "uptime_ms": 5000, "backend": "bwrap",
             "runs": {"running": 1, "max": 32},
             "pool": {"enabled": true, "target_per_key": 2, "keys": [{"image": "python:3.12-alpine", "profile": "moderate", "ready": 2}]},
             "sandboxes": {"total": 3, "running": 1, "stopped": 2}}}
            """;

    @TempDir
    Path dir;

    private HttpServer server;
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private volatile int statusCode = 200;
    private volatile String statusBody = FULL;
    private DaemonFiles files;
    private final long self = ProcessHandle.current().pid();

    /** Exit code, stdout and stderr of one invocation. */
    private record Result(int code, String out, String err) {
    }

    @BeforeEach
    void startServer() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/health", exchange -> {
            byte[] body = "{\"success\":true,\"data\":\"ok\"}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.createContext("/status", exchange -> {
            authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            byte[] body = statusBody.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(statusCode, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        files = new DaemonFiles(dir);
        files.writePid(self);
        files.writeInfo(new DaemonInfo(self, new DaemonAddress("127.0.0.1", server.getAddress().getPort()),
                Instant.now(), dir.resolve("daemon.log").toString()));
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    private Result status(Optional<String> key, boolean json) throws Exception {
        return status(new DaemonRegistry(files, pid -> pid == self), key, json);
    }

    private static Result status(DaemonRegistry registry, Optional<String> key, boolean json) throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = new DaemonStatus(registry, key, json).run(new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void aRunningDaemonsStatusIsPrintedInAlignedLines() throws Exception {
        Result r = status(Optional.empty(), false);

        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out().lines().toList()).startsWith("agentkernel: daemon is running", "  pid        " + self,
                "  address    http://127.0.0.1:" + server.getAddress().getPort())
                .anyMatch(l -> l.startsWith("  uptime     "))
                .contains("  backend    bwrap", "  runs       1 running (max 32)", "  sandboxes  3 total, 1 running, 2 stopped",
                        "  warm pool  enabled, 2 ready per image and profile", "             python:3.12-alpine (moderate): 2 ready");
        assertThat(authorizations).containsExactly("null");
    }

    @Test
    void theApiKeyIsSentAsBearer() throws Exception {
        status(Optional.of("s3cret"), false);
        assertThat(authorizations).containsExactly("Bearer s3cret");
        assertThat(DaemonHttp.apiKeyFrom(" first , second")).contains("first");
        assertThat(DaemonHttp.apiKeyFrom(" , ")).isEmpty();
        assertThat(DaemonHttp.apiKeyFrom(null)).isEmpty();
    }

    @Test
    void jsonIsTheDataObjectWithTheDaemonAdded() throws Exception {
        Result r = status(Optional.empty(), true);

        assertThat(r.code()).isZero();
        JsonNode node = new ObjectMapper().readTree(r.out());
        assertThat(node.path("version").asText()).isEqualTo("0.1.0");
        assertThat(node.path("pool").path("keys").get(0).path("ready").asInt()).isEqualTo(2);
        assertThat(node.path("daemon").path("pid").asLong()).isEqualTo(self);
        assertThat(node.path("daemon").path("port").asInt()).isEqualTo(server.getAddress().getPort());
        assertThat(node.path("daemon").path("answering").asBoolean()).isTrue();
    }

    @Test
    void aServerWithoutStatusGivesTheHealthPart() throws Exception {
        statusCode = 404;
        statusBody = "{\"success\":false,\"error\":\"no route for GET /status\"}";

        Result r = status(Optional.empty(), false);

        assertThat(r.code()).isZero();
        assertThat(r.out().lines().toList()).startsWith("agentkernel: daemon is running", "  pid        " + self)
                .noneMatch(l -> l.contains("status") && !l.contains("running")).noneMatch(l -> l.contains("backend"));
        JsonNode json = new ObjectMapper().readTree(status(Optional.empty(), true).out());
        assertThat(json.properties()).extracting(e -> e.getKey()).containsExactly("daemon");
    }

    @Test
    void aRefusedStatusIsShownButTheDaemonStillRuns() throws Exception {
        statusCode = 401;
        statusBody = "{\"success\":false,\"error\":\"missing or invalid API key\"}";

        Result r = status(Optional.empty(), false);

        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("  status     GET /status answered HTTP 401: missing or invalid API key");
    }

    @Test
    void aDaemonThatDoesNotAnswerExits4() throws Exception {
        server.stop(0);

        Result r = status(Optional.empty(), false);

        assertThat(r.code()).isEqualTo(4);
        assertThat(r.out()).startsWith("agentkernel: daemon is running but not answering\n").contains("  health     cannot reach ");
    }

    @Test
    void noDaemonExits3WithOneLine() throws Exception {
        Result r = status(new DaemonRegistry(files, pid -> false), Optional.empty(), false);

        assertThat(r.code()).isEqualTo(3);
        assertThat(r.out()).isEqualTo("agentkernel: daemon is not running\n");
        assertThat(files.pidFile()).doesNotExist();

        Result json = status(new DaemonRegistry(files, pid -> false), Optional.empty(), true);
        assertThat(json.code()).isEqualTo(3);
        assertThat(json.out()).isEmpty();
        assertThat(json.err()).isEqualTo("agentkernel: daemon is not running\n");
    }
}
