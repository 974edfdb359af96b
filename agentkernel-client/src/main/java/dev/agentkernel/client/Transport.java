package dev.agentkernel.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.agentkernel.api.WireJson;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * HTTP exchanges with the daemon: headers (API key, user agent), the JSON envelope, the
 * mapping of failures to {@link AgentKernelException}s, and the connection's lifetime.
 * Thread-safe. Package-private.
 */
final class Transport {

    static final String JSON = "application/json";
    static final String OCTET_STREAM = "application/octet-stream";
    static final String EVENT_STREAM = "text/event-stream";
    static final String USER_AGENT = "agentkernel-java/" + version();
    /** Most bytes of a non-API error body quoted in a message. */
    private static final int QUOTED = 200;

    private final HttpClient http;
    private final boolean ownsHttp;
    private final String base;
    private final Optional<String> apiKey;
    private final Duration timeout;
    private final AtomicBoolean closed;

    private Transport(HttpClient http, boolean ownsHttp, String base, Optional<String> apiKey, Duration timeout,
                      AtomicBoolean closed) {
        this.http = http;
        this.ownsHttp = ownsHttp;
        this.base = base;
        this.apiKey = apiKey;
        this.timeout = timeout;
        this.closed = closed;
    }

    static Transport open(ClientSettings settings) {
        HttpClient http = settings.httpClient().orElseGet(() -> HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.timeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build());
        return new Transport(http, settings.httpClient().isEmpty(), settings.baseUrl().toString(), settings.apiKey(),
                settings.timeout(), new AtomicBoolean());
    }

    /** The same connections with another default timeout; closing it does nothing. */
    Transport withTimeout(Duration value) {
        return new Transport(http, false, base, apiKey, Timeouts.requirePositive(value, "timeout"), closed);
    }

    Duration timeout() {
        return timeout;
    }

    // ---- requests -----------------------------------------------------------------------

    /** A request to {@code path} (already encoded) with the common headers. */
    HttpRequest.Builder request(String path, Duration wait) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(wait)
                .header("User-Agent", USER_AGENT);
        apiKey.ifPresent(k -> b.header("Authorization", "Bearer " + k).header("X-API-Key", k));
        return b;
    }

    /** {@code GET path}: the envelope's data, decoded. */
    <T> T get(String path, Function<JsonNode, T> decode) {
        return call(request(path, timeout).header("Accept", JSON).GET().build(), decode);
    }

    /** {@code DELETE path}: the envelope's data, decoded. */
    <T> T delete(String path, Function<JsonNode, T> decode) {
        return call(request(path, timeout).header("Accept", JSON).DELETE().build(), decode);
    }

    /** {@code method path} with a JSON body (a record of the contract), waiting up to {@code wait}: the envelope's data, decoded. */
    <T> T send(String method, String path, Object body, Duration wait, Function<JsonNode, T> decode) {
        return call(request(path, wait).header("Accept", JSON).header("Content-Type", JSON)
                .method(method, HttpRequest.BodyPublishers.ofByteArray(WireJson.bytes(body))).build(), decode);
    }

    /** {@code PUT path} with raw bytes: the envelope's data, decoded. */
    <T> T putBytes(String path, byte[] bytes, Function<JsonNode, T> decode) {
        return call(request(path, timeout).header("Accept", JSON).header("Content-Type", OCTET_STREAM)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(), decode);
    }

    /** {@code PUT path} with the bytes of a local file, streamed: the envelope's data, decoded. */
    <T> T putFile(String path, java.nio.file.Path file, Duration wait, Function<JsonNode, T> decode) {
        HttpRequest.BodyPublisher body;
        try {
            body = HttpRequest.BodyPublishers.ofFile(file);
        } catch (java.io.FileNotFoundException e) {
            throw new IllegalArgumentException("cannot read " + file + ": no such file", e);
        }
        return call(request(path, wait).header("Accept", JSON).header("Content-Type", OCTET_STREAM).PUT(body).build(),
                decode);
    }

    /**
     * {@code POST path} with a body, expecting {@code 204 No Content} (or any 2xx); the failure
     * for anything else.
     */
    void postNoContent(String path, String contentType, byte[] body) {
        HttpRequest request = request(path, timeout).header("Accept", JSON).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        HttpResponse<byte[]> response = exchange(request, HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() / 100 != 2) {
            throw failure(request, response.statusCode(), response.body());
        }
    }

    /**
     * {@code GET path} asking for raw bytes, as a stream that the caller closes; the client's
     * timeout bounds only the wait for the response to start. A server that answers with JSON
     * anyway (an older one) is read as a file envelope.
     */
    InputStream getByteStream(String path) {
        HttpRequest request = request(path, timeout).header("Accept", OCTET_STREAM).GET().build();
        HttpResponse<InputStream> response = exchange(request, HttpResponse.BodyHandlers.ofInputStream());
        boolean json = response.headers().firstValue("Content-Type").map(t -> t.startsWith(JSON)).orElse(false);
        if (response.statusCode() / 100 == 2 && !json) {
            return response.body();
        }
        byte[] bytes;
        try (InputStream in = response.body()) {
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new ConnectionException("reading the response to " + describe(request) + " failed: " + e, e);
        }
        if (response.statusCode() / 100 != 2) {
            throw failure(request, response.statusCode(), bytes);
        }
        Optional<JsonNode> parsed = parse(bytes);
        if (parsed.isEmpty() || !parsed.get().path("success").asBoolean(false)) {
            throw new ServerException(response.statusCode(), "the response to " + describe(request)
                    + " is not an AgentKernel API response" + quote(bytes));
        }
        return new java.io.ByteArrayInputStream(decode(request, response.statusCode(), parsed.get().get("data"),
                Wire::fileContent).bytes());
    }

    /**
     * {@code GET path} asking for raw bytes. A server that answers with JSON anyway (an older
     * one) is read as a file envelope.
     */
    byte[] getBytes(String path) {
        HttpRequest request = request(path, timeout).header("Accept", OCTET_STREAM).GET().build();
        HttpResponse<byte[]> response = exchange(request, HttpResponse.BodyHandlers.ofByteArray());
        boolean json = response.headers().firstValue("Content-Type").map(t -> t.startsWith(JSON)).orElse(false);
        if (response.statusCode() / 100 == 2 && !json) {
            return response.body();
        }
        return decode(request, response.statusCode(), data(request, response), Wire::fileContent).bytes();
    }

    /**
     * {@code POST path} with a JSON body, asking for an event stream; returns once the stream has
     * started (within the timeout). The caller closes the body.
     */
    InputStream openEvents(String path, Object body) {
        return openEvents(request(path, timeout).header("Accept", EVENT_STREAM).header("Content-Type", JSON)
                .POST(HttpRequest.BodyPublishers.ofByteArray(WireJson.bytes(body))).build());
    }

    /** {@code GET path} asking for an event stream; returns once the stream has started. The caller closes the body. */
    InputStream getEvents(String path) {
        return openEvents(request(path, timeout).header("Accept", EVENT_STREAM).GET().build());
    }

    private InputStream openEvents(HttpRequest request) {
        HttpResponse<InputStream> response = exchange(request, HttpResponse.BodyHandlers.ofInputStream());
        boolean events = response.headers().firstValue("Content-Type").map(t -> t.startsWith(EVENT_STREAM))
                .orElse(false);
        if (response.statusCode() / 100 == 2 && events) {
            return response.body();
        }
        byte[] bytes;
        try (InputStream in = response.body()) {
            bytes = in.readNBytes(64 * 1024);
        } catch (IOException e) {
            throw new ConnectionException("reading the response to " + describe(request) + " failed: " + e, e);
        }
        if (response.statusCode() / 100 == 2) {
            throw new ServerException(response.statusCode(), "the response to " + describe(request)
                    + " is not an event stream (Content-Type "
                    + response.headers().firstValue("Content-Type").orElse("none") + ")" + quote(bytes));
        }
        throw failure(request, response.statusCode(), bytes);
    }

    /** Sends, maps the status and the envelope, decodes the data. */
    <T> T call(HttpRequest request, Function<JsonNode, T> decode) {
        HttpResponse<byte[]> response = exchange(request, HttpResponse.BodyHandlers.ofByteArray());
        return decode(request, response.statusCode(), data(request, response), decode);
    }

    /** Sends and returns the parsed JSON body of a 2xx response, whatever its shape (for {@code /health}). */
    JsonNode callRaw(HttpRequest request) {
        HttpResponse<byte[]> response = exchange(request, HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() / 100 != 2) {
            throw failure(request, response.statusCode(), response.body());
        }
        return parse(response.body()).orElseThrow(() -> new ServerException(response.statusCode(),
                "the response to " + describe(request) + " is not JSON" + quote(response.body())));
    }

    private static <T> T decode(HttpRequest request, int status, JsonNode data, Function<JsonNode, T> decode) {
        try {
            return decode.apply(data);
        } catch (Wire.MalformedException e) {
            throw new ServerException(status, "the response to " + describe(request) + " is malformed: "
                    + e.getMessage(), e);
        }
    }

    /** The {@code data} of a success envelope, or the exception for anything else. */
    private static JsonNode data(HttpRequest request, HttpResponse<byte[]> response) {
        int status = response.statusCode();
        if (status / 100 != 2) {
            throw failure(request, status, response.body());
        }
        Optional<JsonNode> json = parse(response.body());
        if (json.isPresent() && json.get().path("success").asBoolean(false)) {
            JsonNode data = json.get().get("data");
            return data == null ? NullNode.getInstance() : data;
        }
        if (json.isPresent() && json.get().has("success")) {
            throw new ServerException(status, code(json.get()), json.get().path("error").isTextual()
                    ? json.get().path("error").asText()
                    : "the server answered " + describe(request) + " with success=false and no message", null);
        }
        throw new ServerException(status, "the response to " + describe(request)
                + " is not an AgentKernel API response (is the base URL right?)" + quote(response.body()));
    }

    /**
     * The exception for a non-2xx response: the envelope's message (else the status and a quote
     * of the body) and its code.
     */
    static AgentKernelException failure(HttpRequest request, int status, byte[] body) {
        Optional<JsonNode> json = parse(body);
        String message;
        if (json.isPresent() && json.get().path("error").isTextual() && !json.get().path("error").asText().isBlank()) {
            message = json.get().path("error").asText();
        } else {
            message = "HTTP " + status + " from " + describe(request) + quote(body);
        }
        return AgentKernelException.forStatus(status, json.map(Transport::code).orElse(null), message);
    }

    /** The envelope's {@code code}, or null. */
    private static String code(JsonNode envelope) {
        JsonNode code = envelope.path("code");
        return code.isTextual() ? code.asText() : null;
    }

    /** Sends one request, turning every way of getting no response into a {@link ConnectionException}. */
    <T> HttpResponse<T> exchange(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        if (closed.get()) {
            throw new IllegalStateException("the AgentKernel client is closed; create a new one");
        }
        try {
            return http.send(request, handler);
        } catch (HttpConnectTimeoutException e) {
            throw new ConnectionException("could not connect to " + base + " within "
                    + seconds(request) + ": is the AgentKernel daemon running and reachable there?", e, true);
        } catch (HttpTimeoutException e) {
            throw new ConnectionException("no response to " + describe(request) + " within " + seconds(request)
                    + "; give a long command its own timeout (RunOptions/ExecOptions.withTimeout) or wait longer "
                    + "with client.withTimeout(...)", e);
        } catch (ConnectException e) {
            throw new ConnectionException("cannot connect to " + base + ": is the AgentKernel daemon running? "
                    + "Start it with 'agentkernel serve', or set " + ClientBuilder.BASE_URL_VARIABLE
                    + " to its URL", e, true);
        } catch (IOException e) {
            if (closed.get()) {
                throw new ConnectionException(describe(request) + " was aborted: the client was closed", e);
            }
            throw new ConnectionException(describe(request) + " failed: "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConnectionException("interrupted while waiting for the response to " + describe(request), e);
        }
    }

    /** Marks the client closed and, if it owns its HTTP client, aborts what is in flight. Idempotent. */
    void close() {
        if (closed.compareAndSet(false, true) && ownsHttp) {
            try { // HttpClient.shutdownNow() exists from Java 21 on; the SDK is compiled for Java 17
                HttpClient.class.getMethod("shutdownNow").invoke(http);
            } catch (ReflectiveOperationException | RuntimeException e) {
                // Java 17: requests in flight end by their own timeouts
            }
        }
    }

    boolean closed() {
        return closed.get();
    }

    @Override
    public String toString() {
        return base + (apiKey.isPresent() ? ", API key set" : "") + ", timeout " + timeout;
    }

    // ---- helpers ------------------------------------------------------------------------

    private static Optional<JsonNode> parse(byte[] body) {
        if (body == null || body.length == 0) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(WireJson.mapper().readTree(body));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    static String describe(HttpRequest request) {
        return request.method() + " " + request.uri().getRawPath();
    }

    private static String seconds(HttpRequest request) {
        Duration d = request.timeout().orElse(Duration.ZERO);
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    private static String quote(byte[] body) {
        if (body == null || body.length == 0) {
            return "";
        }
        String text = new String(body, 0, Math.min(body.length, QUOTED), StandardCharsets.UTF_8).strip()
                .replaceAll("\\s+", " ");
        return text.isEmpty() ? "" : ": " + text + (body.length > QUOTED ? "..." : "");
    }

    private static String version() {
        String v = Transport.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
