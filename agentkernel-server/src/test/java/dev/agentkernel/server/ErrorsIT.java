package dev.agentkernel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentkernel.core.run.RunService;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every error the API gives: the right status, {@code application/json}, the envelope with
 * {@code success: false} and a message a person can act on, never Java internals.
 */
class ErrorsIT extends ServerTestBase {

    static Stream<Arguments> invalidRunBodies() {
        return Stream.of(
                Arguments.of("invalid JSON", "{\"command\": [\"echo\", "),
                Arguments.of("invalid JSON (garbage)", "not json at all"),
                Arguments.of("trailing comma", "{\"command\": [\"echo\"],}"),
                Arguments.of("empty body", ""),
                Arguments.of("body is an array", "[\"echo\", \"hi\"]"),
                Arguments.of("body is a string", "\"echo hi\""),
                Arguments.of("body is a number", "42"),
                Arguments.of("body is null", "null"),
                Arguments.of("missing command", "{}"),
                Arguments.of("command null", "{\"command\": null}"),
                Arguments.of("empty command", "{\"command\": []}"),
                Arguments.of("empty program name", "{\"command\": [\"\"]}"),
                Arguments.of("command is a string", "{\"command\": \"echo hi\"}"),
                Arguments.of("command is an object", "{\"command\": {\"0\": \"echo\"}}"),
                Arguments.of("command holds a number", "{\"command\": [\"echo\", 1]}"),
                Arguments.of("command holds null", "{\"command\": [\"echo\", null]}"),
                Arguments.of("command holds a NUL", "{\"command\": [\"echo\", \"a\\u0000b\"]}"),
                Arguments.of("unknown profile", "{\"command\": [\"true\"], \"profile\": \"nope\"}"),
                Arguments.of("profile not a string", "{\"command\": [\"true\"], \"profile\": 3}"),
                Arguments.of("image not a string", "{\"command\": [\"true\"], \"image\": [\"x\"]}"),
                Arguments.of("pull not a policy", "{\"command\": [\"true\"], \"pull\": \"sometimes\"}"),
                Arguments.of("pull not a string", "{\"command\": [\"true\"], \"pull\": true}"),
                Arguments.of("env entry without =", "{\"command\": [\"true\"], \"env\": [\"NOEQUALS\"]}"),
                Arguments.of("env entry with bad name", "{\"command\": [\"true\"], \"env\": [\"1X=y\"]}"),
                Arguments.of("env entry with empty name", "{\"command\": [\"true\"], \"env\": [\"=y\"]}"),
                Arguments.of("env entry not a string", "{\"command\": [\"true\"], \"env\": [7]}"),
                Arguments.of("env not an array", "{\"command\": [\"true\"], \"env\": \"A=b\"}"),
                Arguments.of("negative timeout", "{\"command\": [\"true\"], \"timeout\": -1}"),
                Arguments.of("timeout not a number", "{\"command\": [\"true\"], \"timeout\": \"5\"}"),
                Arguments.of("fast not a boolean", "{\"command\": [\"true\"], \"fast\": \"yes\"}"));
    }

    @ParameterizedTest(name = "POST /run: {0}")
    @MethodSource("invalidRunBodies")
    void invalidRunRequestIs400(String what, String body) {
        assertErrorEnvelope(fx.post("/run", body), 400);
    }

    @ParameterizedTest(name = "POST /run/stream: {0}")
    @MethodSource("invalidRunBodies")
    void invalidStreamRequestIs400BeforeAnyEvent(String what, String body) {
        assertErrorEnvelope(fx.post("/run/stream", body), 400);
    }

    @ParameterizedTest(name = "POST /batch/run: {0}")
    @MethodSource("invalidBatchBodies")
    void invalidBatchRequestIs400(String what, String body) {
        assertErrorEnvelope(fx.post("/batch/run", body), 400);
    }

    static Stream<Arguments> invalidBatchBodies() {
        return Stream.of(
                Arguments.of("invalid JSON", "{\"commands\": ["),
                Arguments.of("body is an array", "[{\"command\": [\"true\"]}]"),
                Arguments.of("missing commands", "{}"),
                Arguments.of("commands not an array", "{\"commands\": {\"command\": [\"true\"]}}"),
                Arguments.of("commands empty", "{\"commands\": []}"),
                Arguments.of("entry not an object", "{\"commands\": [[\"echo\", \"hi\"]]}"),
                Arguments.of("entry without command", "{\"commands\": [{\"command\": [\"true\"]}, {}]}"),
                Arguments.of("entry with number in command", "{\"commands\": [{\"command\": [\"echo\", 1]}]}"));
    }

    @Test
    void messagesNameTheProblem() {
        assertThat(assertErrorEnvelope(fx.post("/run", "{}"), 400).path("error").asText()).contains("command");
        assertThat(assertErrorEnvelope(fx.post("/run", "{\"command\": [\"true\"], \"profile\": \"nope\"}"), 400)
                .path("error").asText()).contains("nope").contains("restrictive");
        assertThat(assertErrorEnvelope(fx.post("/run", "{\"command\": [\"true\"], \"env\": [\"NOEQUALS\"]}"), 400)
                .path("error").asText()).contains("NOEQUALS");
        assertThat(assertErrorEnvelope(fx.post("/run", "{\"command\": ["), 400).path("error").asText())
                .containsIgnoringCase("json");
        assertThat(assertErrorEnvelope(fx.post("/batch/run",
                "{\"commands\": [{\"command\": [\"true\"]}, {\"command\": 7}]}"), 400)
                .path("error").asText()).as("which batch entry is wrong").contains("commands[1]");
    }

    // ---- body size -------------------------------------------------------------------------

    private static byte[] oversizedBody() {
        byte[] body = new byte[(int) ServerFixture.MAX_BODY + 4096];
        Arrays.fill(body, (byte) 'a');
        byte[] head = "{\"command\": [\"echo\", \"".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(head, 0, body, 0, head.length);
        byte[] tail = "\"]}".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(tail, 0, body, body.length - tail.length, tail.length);
        return body;
    }

    @Test
    void bodyOverTheLimitWithContentLengthIs413() {
        ServerFixture.Response r = fx.send(fx.request("/run").setHeader("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(oversizedBody())).build());
        assertErrorEnvelope(r, 413);
    }

    @Test
    void chunkedBodyOverTheLimitIs413() {
        byte[] body = oversizedBody();
        ServerFixture.Response r = fx.send(fx.request("/run").setHeader("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))).build());
        assertErrorEnvelope(r, 413);
    }

    @Test
    void bodyJustUnderTheLimitIsAccepted() {
        // a valid request padded with an ignored field to just under 16 MiB
        String head = "{\"command\": [\"echo\", \"ok\"], \"pad\": \"";
        String tail = "\"}";
        int pad = (int) ServerFixture.MAX_BODY - head.length() - tail.length() - 16;
        ServerFixture.Response r = fx.post("/run", head + "p".repeat(pad) + tail);
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        assertThat(r.data().path("output").asText()).isEqualTo("ok\n");
    }

    // ---- routes --------------------------------------------------------------------------------

    @Test
    void unknownRoutesAre404() {
        assertErrorEnvelope(fx.get("/nope"), 404);
        assertErrorEnvelope(fx.get("/sandboxes/missing"), 404);
        assertErrorEnvelope(fx.post("/run/nope", "{\"command\": [\"true\"]}"), 404);
        assertErrorEnvelope(fx.send(fx.request("/sandboxes/missing").DELETE().build()), 404);
    }

    // ---- authentication --------------------------------------------------------------------------

    @Test
    void missingOrWrongKeyIs401() {
        String body = "{\"command\": [\"echo\", \"x\"]}";
        List<HttpRequest.Builder> wrong = new ArrayList<>();
        wrong.add(HttpRequest.newBuilder(fx.uri("/run")).setHeader("Content-Type", "application/json"));
        wrong.add(HttpRequest.newBuilder(fx.uri("/run")).setHeader("Content-Type", "application/json").header("X-API-Key", "wrong"));
        wrong.add(HttpRequest.newBuilder(fx.uri("/run")).setHeader("Content-Type", "application/json").header("X-API-Key", KEY + "x"));
        wrong.add(HttpRequest.newBuilder(fx.uri("/run")).setHeader("Content-Type", "application/json").header("X-API-Key", KEY.substring(1)));
        wrong.add(HttpRequest.newBuilder(fx.uri("/run")).setHeader("Content-Type", "application/json").header("Authorization", "Bearer wrong"));
        wrong.add(HttpRequest.newBuilder(fx.uri("/run")).setHeader("Content-Type", "application/json").header("Authorization", "Bearer "));
        wrong.add(HttpRequest.newBuilder(fx.uri("/run")).setHeader("Content-Type", "application/json").header("Authorization", KEY));
        wrong.add(HttpRequest.newBuilder(fx.uri("/run")).setHeader("Content-Type", "application/json").header("Authorization", "Basic " + KEY));
        for (HttpRequest.Builder b : wrong) {
            HttpRequest request = b.setHeader("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build();
            ServerFixture.Response r = fx.send(request);
            JsonNode json = assertErrorEnvelope(r, 401);
            assertThat(json.path("error").asText()).as("401 for headers %s", request.headers().map())
                    .doesNotContain(KEY);
        }
        // every route but /health, including unknown ones and the stream, needs the key
        assertErrorEnvelope(fx.send(HttpRequest.newBuilder(fx.uri("/run/stream")).setHeader("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build()), 401);
        assertErrorEnvelope(fx.send(HttpRequest.newBuilder(fx.uri("/batch/run")).setHeader("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"commands\": [{\"command\": [\"true\"]}]}")).build()), 401);
        assertErrorEnvelope(fx.send(HttpRequest.newBuilder(fx.uri("/sandboxes")).GET().build()), 401);
    }

    @Test
    void rightKeyInEitherHeaderIsAccepted() {
        for (String[] header : List.of(new String[] {"X-API-Key", KEY}, new String[] {"Authorization", "Bearer " + KEY},
                new String[] {"authorization", "bearer " + KEY}, new String[] {"x-api-key", KEY})) {
            ServerFixture.Response r = fx.send(HttpRequest.newBuilder(fx.uri("/run")).setHeader("Content-Type", "application/json").header(header[0], header[1])
                    .POST(HttpRequest.BodyPublishers.ofString("{\"command\": [\"echo\", \"in\"]}")).build());
            assertThat(r.status()).as("%s: %s", header[0], r).isEqualTo(200);
            assertThat(r.data().path("output").asText()).isEqualTo("in\n");
        }
    }

    // ---- malformed HTTP and out-of-range values -------------------------------------------------

    /** Sends {@code request} as is on a fresh connection, half-closes, and reads the whole answer. */
    static ServerFixture.Response raw(String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", fx.server.port())) {
            socket.setSoTimeout(15_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            socket.shutdownOutput();
            byte[] answer = socket.getInputStream().readAllBytes();
            String text = new String(answer, StandardCharsets.UTF_8);
            int split = text.indexOf("\r\n\r\n");
            assertThat(split).as("an HTTP response: [%s]", text).isPositive();
            String head = text.substring(0, split);
            int status = Integer.parseInt(head.substring(9, 12));
            String contentType = head.lines().filter(l -> l.toLowerCase(java.util.Locale.ROOT).startsWith("content-type:"))
                    .map(l -> l.substring(13).strip()).findFirst().orElse("");
            byte[] body = text.substring(split + 4).getBytes(StandardCharsets.UTF_8);
            return new ServerFixture.Response(status, new RawResponse(status, contentType, body));
        }
    }

    @Test
    void bodyShorterThanContentLengthIs400() throws IOException {
        assertErrorEnvelope(raw("POST /run HTTP/1.1\r\nHost: localhost\r\nX-API-Key: " + KEY
                + "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"command\": "), 400);
    }

    @Test
    void malformedChunkedBodyIs400() throws IOException {
        assertErrorEnvelope(raw("POST /run HTTP/1.1\r\nHost: localhost\r\nX-API-Key: " + KEY
                + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n"), 400);
    }

    @Test
    void hugeTimeoutIsRefusedWith400() {
        for (String timeout : List.of("1e300", "9223372036854775807", "1e12")) {
            assertErrorEnvelope(fx.post("/run", "{\"command\": [\"true\"], \"timeout\": " + timeout + "}"), 400);
        }
    }

    // ---- concurrency limit ---------------------------------------------------------------------

    @Test
    void tooManyConcurrentSandboxesIs429() throws Exception {
        try (ServerFixture small = ServerFixture.start(1, List.of());
             HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            HttpRequest longRun = HttpRequest.newBuilder(ServerFixture.uri(small.server.port(), "/run")).setHeader("Content-Type", "application/json")
                    .timeout(ServerFixture.REQUEST_LIMIT)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"command\": [\"sleep\", \"3\"]}")).build();
            CompletableFuture<HttpResponse<String>> first = http.sendAsync(longRun, HttpResponse.BodyHandlers.ofString());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (small.runs.running() < 1 && System.nanoTime() < deadline) {
                ServerFixture.sleep(10);
            }
            assertThat(small.runs.running()).as("the first run occupies the only slot").isEqualTo(1);

            HttpResponse<byte[]> second = http.send(longRun, HttpResponse.BodyHandlers.ofByteArray());
            JsonNode json = assertErrorEnvelope(new ServerFixture.Response(second.statusCode(), second), 429);
            assertThat(json.path("error").asText()).containsIgnoringCase("too many");

            // the stream and the batch share the limit: a stream is refused with an error event or a 429
            HttpResponse<String> stream = http.send(HttpRequest.newBuilder(ServerFixture.uri(small.server.port(), "/run/stream")).setHeader("Content-Type", "application/json")
                    .timeout(ServerFixture.REQUEST_LIMIT)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"command\": [\"true\"]}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (stream.statusCode() == 200) {
                assertThat(stream.body()).as("refused stream").startsWith("event: error\ndata: {\"message\":");
            } else {
                assertThat(stream.statusCode()).isEqualTo(429);
            }

            HttpResponse<String> done = first.get(30, TimeUnit.SECONDS);
            assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
            assertThat(ServerFixture.JSON.readTree(done.body()).path("data").path("exit_code").asInt()).isZero();

            // with the slot free again the same request succeeds
            HttpResponse<String> again = http.send(HttpRequest.newBuilder(ServerFixture.uri(small.server.port(), "/run")).setHeader("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"command\": [\"echo\", \"free\"]}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
        }
    }

    /** A minimal {@link HttpResponse} over bytes read from a raw socket. */
    record RawResponse(int statusCode, String contentType, byte[] body) implements HttpResponse<byte[]> {
        @Override
        public HttpRequest request() {
            return HttpRequest.newBuilder(fx.uri("/")).build();
        }

        @Override
        public java.util.Optional<HttpResponse<byte[]>> previousResponse() {
            return java.util.Optional.empty();
        }

        @Override
        public java.net.http.HttpHeaders headers() {
            return java.net.http.HttpHeaders.of(contentType.isEmpty() ? java.util.Map.of()
                    : java.util.Map.of("content-type", List.of(contentType)), (a, b) -> true);
        }

        @Override
        public java.util.Optional<javax.net.ssl.SSLSession> sslSession() {
            return java.util.Optional.empty();
        }

        @Override
        public java.net.URI uri() {
            return fx.uri("/");
        }

        @Override
        public HttpClient.Version version() {
            return HttpClient.Version.HTTP_1_1;
        }
    }
}
