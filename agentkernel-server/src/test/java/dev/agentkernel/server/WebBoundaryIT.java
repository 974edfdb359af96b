package dev.agentkernel.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The edge of the HTTP API towards browsers, other names and malformed HTTP, on a daemon set up as
 * the security review found it (loopback, no API key): web pages of other origins, DNS rebinding
 * (a foreign Host), bodies that are not JSON, broken framing, and the permissive profile's home
 * mount. Every exchange must be answered at once (raw sockets are not half-closed: a request the
 * server waits on fails after {@link #ANSWER_LIMIT}).
 */
class WebBoundaryIT {

    static final Duration ANSWER_LIMIT = Duration.ofSeconds(5);
    static ServerFixture fx;
    static SandboxApi api;

    @BeforeAll
    static void start() throws IOException {
        ServerFixture.assumeSandboxHost();
        fx = ServerFixture.start(4, List.of()); // no key: the guard must hold without one
        api = new SandboxApi(fx);
    }

    @AfterEach
    void removeSandboxes() {
        if (api != null) {
            assertThat(api.removeAll()).isEmpty();
        }
    }

    @AfterAll
    static void stop() throws IOException {
        if (fx != null) {
            fx.close();
            fx = null;
        }
    }

    // ---- browsers and other names (finding 6) ------------------------------------------------------

    @Test
    void aPageOfAnotherOriginCannotRunACommandWithANoCorsPost() {
        ServerFixture.Response r = fx.send(fx.request("/run").setHeader("Content-Type", "text/plain")
                .header("Origin", "http://evil.example")
                .POST(HttpRequest.BodyPublishers.ofString("{\"command\": [\"true\"]}")).build());
        JsonNode json = ServerTestBase.assertErrorEnvelope(r, 403);
        assertThat(json.path("code").asText()).isEqualTo("origin_not_allowed");
        assertThat(json.path("error").asText()).contains("http://evil.example").contains("--allow-origin");
    }

    @Test
    void anotherOriginIsRefusedEvenWithJsonAndOnBodylessRoutes() {
        api.createOk("web-origin");
        for (HttpRequest request : List.of(
                fx.request("/run").header("Origin", "http://evil.example")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"command\": [\"true\"]}")).build(),
                fx.request("/sandboxes/web-origin/stop").header("Origin", "http://localhost:3000")
                        .setHeader("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.noBody()).build(),
                fx.request("/sandboxes").header("Origin", "null").GET().build())) {
            assertThat(ServerTestBase.assertErrorEnvelope(fx.send(request), 403).path("code").asText())
                    .isEqualTo("origin_not_allowed");
        }
        assertThat(api.get("web-origin").json().path("data").path("status").asText()).isEqualTo("running");
    }

    @Test
    void crossSiteFetchMetadataIsRefusedWithoutAnOrigin() {
        for (String site : List.of("cross-site", "same-site")) {
            ServerFixture.Response r = fx.send(fx.request("/run").header("Sec-Fetch-Site", site)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"command\": [\"true\"]}")).build());
            assertThat(ServerTestBase.assertErrorEnvelope(r, 403).path("code").asText()).isEqualTo("origin_not_allowed");
        }
    }

    @Test
    void mcpRefusesAnotherOrigin() {
        String init = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
                + "\"capabilities\":{},\"clientInfo\":{\"name\":\"page\",\"version\":\"1\"}}}";
        ServerFixture.Response r = fx.send(fx.request("/mcp").header("Origin", "http://evil.example")
                .header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(init)).build());
        assertThat(ServerTestBase.assertErrorEnvelope(r, 403).path("code").asText()).isEqualTo("origin_not_allowed");
    }

    @Test
    void theDaemonsOwnOriginAndNoOriginAreServed() {
        ServerFixture.Response own = fx.send(fx.request("/run").header("Origin", fx.baseUrl())
                .header("Sec-Fetch-Site", "same-origin")
                .POST(HttpRequest.BodyPublishers.ofString("{\"command\": [\"echo\", \"own\"]}")).build());
        assertThat(own.status()).as("%s", own).isEqualTo(200);
        assertThat(own.data().path("stdout").asText()).isEqualTo("own\n");
        assertThat(fx.run(List.of("echo", "plain"), Map.of()).data().path("stdout").asText()).isEqualTo("plain\n");
    }

    @Test
    void aBodyThatIsNotDeclaredJsonIs415() {
        for (String type : List.of("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x")) {
            ServerFixture.Response r = fx.send(fx.request("/run").setHeader("Content-Type", type)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"command\": [\"true\"]}")).build());
            JsonNode json = ServerTestBase.assertErrorEnvelope(r, 415);
            assertThat(json.path("code").asText()).isEqualTo("unsupported_media_type");
            assertThat(json.path("error").asText()).contains("application/json");
        }
    }

    @Test
    void aForeignHostNameIsRefused() throws IOException {
        // DNS rebinding: the page's own name now resolves to 127.0.0.1, and the browser sends it as Host.
        Raw r = raw("POST /run HTTP/1.1\r\nHost: evil.example:" + fx.server.port() + "\r\nContent-Type: application/json\r\n"
                + "Content-Length: 21\r\n\r\n{\"command\": [\"true\"]}");
        assertThat(r.status).as("%s", r).isEqualTo(403);
        assertThat(r.json().path("code").asText()).isEqualTo("host_not_allowed");
        Raw wrongPort = raw("GET /health HTTP/1.1\r\nHost: localhost:1\r\n\r\n");
        assertThat(wrongPort.status).as("%s", wrongPort).isEqualTo(403);
        for (String host : List.of("localhost:" + fx.server.port(), "127.0.0.1:" + fx.server.port(), "localhost")) {
            Raw ok = raw("GET /health HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
            assertThat(ok.status).as("Host %s: %s", host, ok).isEqualTo(200);
        }
    }

    // ---- malformed HTTP (finding 10) ------------------------------------------------------------

    @Test
    void aNegativeContentLengthIsAnsweredAtOnce() throws IOException {
        Raw r = raw("POST /run HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: -1\r\n\r\n");
        assertThat(r.status).as("%s", r).isEqualTo(400);
        assertThat(r.json().path("error").asText()).contains("Content-Length");
        assertThat(r.closed).as("connection closed after %s", r).isTrue();
    }

    @Test
    void aBadChunkSizeIsAnsweredAtOnce() throws IOException {
        Raw r = raw("POST /run HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked"
                + "\r\n\r\nzz\r\n");
        assertThat(r.status).as("%s", r).isEqualTo(400);
        assertThat(r.json().path("success").asBoolean(true)).isFalse();
        assertThat(r.closed).as("connection closed after %s", r).isTrue();
    }

    @Test
    void conflictingContentLengthsAreRefused() throws IOException {
        // RFC 9112 §6.3: differing Content-Length values are an unrecoverable framing error.
        Raw r = raw("GET /health HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nContent-Length: 5\r\n\r\nhello");
        assertThat(r.status).as("%s", r).isEqualTo(400);
        assertThat(r.json().path("error").asText()).contains("Content-Length");
        assertThat(r.closed).as("connection closed after %s", r).isTrue();
    }

    @Test
    void transferEncodingWithContentLengthIsRefused() throws IOException {
        Raw r = raw("GET /health HTTP/1.1\r\nHost: localhost\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
        assertThat(r.status).as("%s", r).isEqualTo(400);
        assertThat(r.closed).as("connection closed after %s", r).isTrue();
    }

    @Test
    void http10GetsAnAnswerWithABody() throws IOException {
        Raw r = raw("GET /health HTTP/1.0\r\nHost: localhost\r\n\r\n");
        assertThat(r.status).as("%s", r).isIn(400, 505);
        assertThat(r.json().path("error").asText()).contains("HTTP/1.1");
    }

    @Test
    void mcpWithANullBodyIs400() {
        ServerFixture.Response r = fx.send(fx.request("/mcp").header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString("null")).build());
        assertThat(r.status()).as("%s", r).isEqualTo(400);
        assertThat(r.json().path("error").path("message").asText()).contains("JSON-RPC");
    }

    @Test
    void anUnparseableContentTypeOnAFileWriteIsAClientError() {
        api.createOk("web-ctype");
        ServerFixture.Response r = fx.send(fx.request(SandboxApi.filePath("web-ctype", "/workspace/a.txt"))
                .setHeader("Content-Type", ";;==").PUT(HttpRequest.BodyPublishers.ofString("x")).build());
        assertThat(r.status()).as("%s", r).isBetween(400, 499);
        ServerTestBase.assertNoJavaInternals(r.body());
    }

    @Test
    void aFileNameOver255BytesIs400OnEveryMethod() {
        api.createOk("web-names");
        String path = SandboxApi.filePath("web-names", "/workspace/" + "n".repeat(256));
        List<ServerFixture.Response> answers = List.of(
                fx.send(fx.request(path).GET().build()),
                fx.send(fx.request(path).PUT(HttpRequest.BodyPublishers.ofString("{\"content\": \"x\"}")).build()),
                fx.send(fx.request(path).DELETE().build()));
        for (ServerFixture.Response r : answers) {
            JsonNode json = ServerTestBase.assertErrorEnvelope(r, 400);
            assertThat(json.path("error").asText()).contains("255");
        }
        assertThat(api.writeText("web-names", "/workspace/" + "n".repeat(255), "fits").status()).isEqualTo(200);
    }

    // ---- the permissive profile's home (finding 5) ------------------------------------------------

    @Test
    void thePermissiveProfileDoesNotShowTheDaemonUsersHomeToApiCallers() throws IOException {
        String secret = "ak-secret-" + UUID.randomUUID();
        Path planted = Path.of(System.getProperty("user.home")).resolve(".ak-web-boundary-" + UUID.randomUUID());
        Files.writeString(planted, secret);
        try {
            Files.setPosixFilePermissions(planted, PosixFilePermissions.fromString("rw-------"));
            ServerFixture.Response run = fx.run(List.of("cat", planted.toString()), Map.of("profile", "permissive", "fast", false));
            assertThat(run.status()).as("%s", run).isEqualTo(200);
            assertThat(run.body()).doesNotContain(secret);
            assertThat(run.data().path("exit_code").asInt()).isNotZero();

            api.createOk("web-home", Map.of("profile", "permissive"));
            ServerFixture.Response exec = api.exec("web-home", List.of("cat", planted.toString()), Map.of());
            assertThat(exec.body()).doesNotContain(secret);
        } finally {
            Files.deleteIfExists(planted);
        }
    }

    // ---- raw HTTP ---------------------------------------------------------------------------------

    /** An answer read off a raw socket; {@code closed}: the server closed the connection after it. */
    record Raw(int status, String head, String body, boolean closed) {
        JsonNode json() {
            try {
                return ServerFixture.JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + this, e);
            }
        }
    }

    /**
     * Sends {@code request} on a fresh connection that stays open (no half-close: a server that
     * waits for more bytes must not be rescued by an end of stream), reads one answer with its
     * Content-Length body, then whether the server closes the connection.
     */
    static Raw raw(String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", fx.server.port())) {
            socket.setSoTimeout((int) ANSWER_LIMIT.toMillis());
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            try {
                ByteArrayOutputStream head = new ByteArrayOutputStream();
                while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                    int b = in.read();
                    if (b < 0) {
                        fail("the server closed the connection without an answer (read: [" + head + "])");
                    }
                    head.write(b);
                }
                String headText = head.toString(StandardCharsets.ISO_8859_1);
                int status = Integer.parseInt(headText.substring(9, 12));
                int length = headText.lines().filter(l -> l.toLowerCase(Locale.ROOT).startsWith("content-length:"))
                        .map(l -> Integer.parseInt(l.substring(15).strip())).findFirst().orElse(0);
                String body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
                boolean closed;
                try {
                    socket.setSoTimeout(2000);
                    closed = in.read() < 0;
                } catch (SocketTimeoutException e) {
                    closed = false;
                }
                return new Raw(status, headText, body, closed);
            } catch (SocketTimeoutException e) {
                throw new AssertionError("no answer within " + ANSWER_LIMIT.toSeconds() + " s to: " + request.lines().findFirst()
                        .orElse(""), e);
            }
        }
    }
}
