package dev.agentkernel.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * The harness's client of the daemon's HTTP API: one JDK {@link HttpClient} speaking HTTP/1.1
 * (keep-alive: sequential requests reuse one connection), and a check of every response, so
 * that a failed run is counted as an error instead of being timed as if it had worked.
 *
 * <p>Every command the harness sends is {@code echo hi}: a response is correct when the HTTP
 * status is 200, {@code success} is true, and the run's {@code exit_code} is 0 and its
 * {@code output} is exactly {@code "hi\n"}.
 */
final class ApiClient {

    static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> ECHO = List.of("echo", "hi");
    static final String EXPECTED_OUTPUT = "hi\n";
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(120);

    private final HttpClient http;
    private final URI base;

    /** A client of the API on {@code 127.0.0.1:port}. */
    ApiClient(int port) {
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        this.base = URI.create("http://127.0.0.1:" + port);
    }

    /**
     * One checked {@code POST /run}.
     *
     * @param nanos          wall-clock time of the exchange, from sending the request to having read the response
     * @param serverMillis   the response's {@code duration_ms}: the run as timed by the server (whole milliseconds)
     */
    record Run(long nanos, long serverMillis) {
    }

    /**
     * What {@link #checkBatch} found.
     *
     * @param bad        entries that were not a correct {@code echo hi}, or were missing
     * @param firstError the first such entry's description, or null
     */
    record BatchCheck(int bad, String firstError) {
    }

    /** A response that was not what a correct run returns. */
    static final class BadResponse extends IllegalStateException {
        BadResponse(String message) {
            super(message);
        }
    }

    /** {@code {"command":["echo","hi"]}}, with {@code "fast"} when {@code fast} is not null. */
    static String runBody(Boolean fast) {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode command = body.putArray("command");
        ECHO.forEach(command::add);
        if (fast != null) {
            body.put("fast", fast);
        }
        return body.toString();
    }

    /** {@code {"commands":[{"command":["echo","hi"]}, …]}} with {@code n} entries. */
    static String batchBody(int n) {
        return batchBody(n, null);
    }

    /** Like {@link #batchBody(int)}, each entry with {@code "profile"} when {@code profile} is not null. */
    static String batchBody(int n, String profile) {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode commands = body.putArray("commands");
        for (int i = 0; i < n; i++) {
            ObjectNode entry = commands.addObject();
            ArrayNode command = entry.putArray("command");
            ECHO.forEach(command::add);
            if (profile != null) {
                entry.put("profile", profile);
            }
        }
        return body.toString();
    }

    /** {@code POST /run} of {@code body}; throws {@link BadResponse} unless the run printed "hi" and exited 0. */
    Run run(String body) throws IOException, InterruptedException {
        HttpRequest request = post("/run", body);
        long t0 = System.nanoTime();
        HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        long elapsed = System.nanoTime() - t0;
        JsonNode data = data(response, "/run");
        checkRun(data, "/run");
        return new Run(elapsed, data.path("duration_ms").asLong(-1));
    }

    /** {@code POST /batch/run} of {@code body}: the status and the parsed body (not checked). */
    HttpResponse<byte[]> batch(String body) throws IOException, InterruptedException {
        return http.send(post("/batch/run", body), HttpResponse.BodyHandlers.ofByteArray());
    }

    /**
     * The results of a {@code /batch/run} response that are not a correct {@code echo hi}
     * (an entry with an {@code error}, a non-zero exit code or other output), plus every
     * missing entry; throws {@link BadResponse} if the response as a whole failed.
     *
     */
    static BatchCheck checkBatch(HttpResponse<byte[]> response, int expected) {
        JsonNode data = data(response, "/batch/run");
        JsonNode results = data.path("results");
        if (!results.isArray()) {
            throw new BadResponse("/batch/run: no results array in " + excerpt(response.body()));
        }
        int bad = Math.max(0, expected - results.size());
        String first = bad > 0 ? results.size() + " results for " + expected + " commands" : null;
        for (JsonNode result : results) {
            try {
                if (result.hasNonNull("error")) {
                    throw new BadResponse("error: " + result.get("error").asText());
                }
                checkRun(result, "/batch/run entry");
            } catch (BadResponse e) {
                bad++;
                if (first == null) {
                    first = e.getMessage();
                }
            }
        }
        return new BatchCheck(bad, first);
    }

    /**
     * {@code POST /run} of {@code {"command":[]}}, timed: the daemon reads and parses the body
     * and refuses it with 400 before anything else happens. Throws unless it is that 400.
     */
    long refusedRun() throws IOException, InterruptedException {
        HttpRequest request = post("/run", "{\"command\":[]}");
        long t0 = System.nanoTime();
        HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        long elapsed = System.nanoTime() - t0;
        if (response.statusCode() != 400 || !excerpt(response.body()).contains("\"success\":false")) {
            throw new BadResponse("/run with an empty command: expected HTTP 400, got " + response.statusCode() + ": "
                    + excerpt(response.body()));
        }
        return elapsed;
    }

    /** {@code GET /health}, timed; throws unless 200. */
    long health() throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(base.resolve("/health")).timeout(REQUEST_TIMEOUT).GET().build();
        long t0 = System.nanoTime();
        HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        long elapsed = System.nanoTime() - t0;
        if (response.statusCode() != 200) {
            throw new BadResponse("/health: HTTP " + response.statusCode() + ": " + excerpt(response.body()));
        }
        return elapsed;
    }

    /** {@code GET /status}: its {@code data}. */
    JsonNode status() throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(base.resolve("/status")).timeout(REQUEST_TIMEOUT).GET().build();
        return data(http.send(request, HttpResponse.BodyHandlers.ofByteArray()), "/status");
    }

    /** The pool's {@code served} and {@code missed} counters as {@code GET /status} reports them. */
    long[] poolCounters() throws IOException, InterruptedException {
        JsonNode pool = status().path("pool");
        return new long[] {pool.path("served").asLong(), pool.path("missed").asLong()};
    }

    private HttpRequest post(String path, String body) {
        return HttpRequest.newBuilder(base.resolve(path)).timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build();
    }

    private static JsonNode data(HttpResponse<byte[]> response, String what) {
        if (response.statusCode() != 200) {
            throw new BadResponse(what + ": HTTP " + response.statusCode() + ": " + excerpt(response.body()));
        }
        JsonNode root;
        try {
            root = JSON.readTree(response.body());
        } catch (IOException e) {
            throw new BadResponse(what + ": not JSON: " + excerpt(response.body()));
        }
        if (!root.path("success").asBoolean(false)) {
            throw new BadResponse(what + ": success is not true: " + excerpt(response.body()));
        }
        return root.path("data");
    }

    private static void checkRun(JsonNode run, String what) {
        if (!run.path("exit_code").isInt() || run.path("exit_code").asInt() != 0) {
            throw new BadResponse(what + ": exit_code " + run.path("exit_code") + (run.hasNonNull("reason")
                    ? " (" + run.get("reason").asText() + ")" : "") + ", output " + run.path("output"));
        }
        if (!EXPECTED_OUTPUT.equals(run.path("output").asText(null))) {
            throw new BadResponse(what + ": output " + run.path("output") + ", expected \"hi\\n\"");
        }
    }

    static String excerpt(byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8).strip();
        return text.length() > 300 ? text.substring(0, 300) + "…" : text;
    }
}
