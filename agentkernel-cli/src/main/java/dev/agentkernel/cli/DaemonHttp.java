package dev.agentkernel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;

/**
 * The CLI's side of the daemon's HTTP API: {@code GET /health} and {@code GET /status}, with
 * {@code Authorization: Bearer KEY} when an API key is given.
 */
final class DaemonHttp implements AutoCloseable {

    /** What {@code GET /status} answered. */
    sealed interface StatusAnswer {
    }

    /**
     * The {@code data} object of a successful answer.
     *
     * @param data the object, as sent
     */
    record StatusData(JsonNode data) implements StatusAnswer {
    }

    /** A 404: a server from before {@code /status}. */
    record NoStatusRoute() implements StatusAnswer {
    }

    /**
     * Any other failure.
     *
     * @param reason one line: the HTTP status and the server's error, or why it could not be reached
     */
    record StatusFailed(String reason) implements StatusAnswer {
    }

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final String baseUrl;
    private final Optional<String> apiKey;
    private final Duration timeout;
    private final HttpClient client;

    /** A client of the daemon at {@code baseUrl} (e.g. {@code http://127.0.0.1:18888}). */
    DaemonHttp(String baseUrl, Optional<String> apiKey, Duration timeout) {
        this.baseUrl = baseUrl;
        this.apiKey = apiKey;
        this.timeout = timeout;
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** The first key of {@code AGENTKERNEL_API_KEY} (one key, or several separated by commas), if set. */
    static Optional<String> apiKeyFrom(String variable) {
        if (variable == null) {
            return Optional.empty();
        }
        return Arrays.stream(variable.split(",")).map(String::strip).filter(k -> !k.isEmpty()).findFirst();
    }

    /** Whether {@code GET /health} answers 200; never throws. */
    boolean healthy() {
        try {
            return send("/health").statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Why {@code GET /health} fails, or empty when it answers 200. */
    Optional<String> healthProblem() {
        try {
            HttpResponse<String> response = send("/health");
            return response.statusCode() == 200 ? Optional.empty() : Optional.of("GET /health answered HTTP " + response.statusCode());
        } catch (IOException e) {
            return Optional.of("cannot reach " + baseUrl + ": " + describe(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted");
        }
    }

    /** {@code GET /status}; never throws. */
    StatusAnswer status() {
        HttpResponse<String> response;
        try {
            response = send("/status");
        } catch (IOException e) {
            return new StatusFailed("cannot reach " + baseUrl + ": " + describe(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new StatusFailed("interrupted");
        }
        if (response.statusCode() == 404) {
            return new NoStatusRoute();
        }
        JsonNode body;
        try {
            body = MAPPER.readTree(response.body());
        } catch (IOException e) {
            body = null;
        }
        if (response.statusCode() != 200 || body == null || !body.path("data").isObject()) {
            String error = body != null && body.path("error").isTextual() ? ": " + body.get("error").asText() : "";
            return new StatusFailed("GET /status answered HTTP " + response.statusCode() + error);
        }
        return new StatusData(body.get("data"));
    }

    private HttpResponse<String> send(String path) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(timeout).GET();
        apiKey.ifPresent(key -> request.header("Authorization", "Bearer " + key));
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        client.close();
    }

    private static String describe(IOException e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }
}
