package dev.agentkernel.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The secrets' sub-clients (sync and async) against a fake server: requests, answers, errors. */
class SecretsTest {

    private static final String SECRET = """
            {"name":"API_KEY","created_at":"2026-01-30T12:00:00Z","updated_at":"2026-01-31T08:30:00Z"}""";
    private static final SecretInfo EXPECTED = new SecretInfo("API_KEY", Optional.of(Instant.parse("2026-01-30T12:00:00Z")),
            Optional.of(Instant.parse("2026-01-31T08:30:00Z")));

    private FakeServer server;
    private AgentKernel client;
    private AsyncAgentKernel async;

    @BeforeEach
    void start() throws Exception {
        server = new FakeServer();
        client = server.client(null);
        async = server.asyncClient();
    }

    @AfterEach
    void stop() {
        client.close();
        async.close();
        server.close();
    }

    @Test
    void setListGetAndRemove() {
        server.on("PUT", "/secrets/API_KEY", c -> c.data(SECRET));
        server.on("GET", "/secrets", c -> c.data("{\"secrets\":[" + SECRET + "]}"));
        server.on("GET", "/secrets/API_KEY", c -> c.data(SECRET));
        server.on("DELETE", "/secrets/API_KEY", c -> c.data("{\"name\":\"API_KEY\"}"));

        assertThat(client.secrets().set("API_KEY", "sk-test:1")).isEqualTo(EXPECTED);
        assertThat(server.last().method()).isEqualTo("PUT");
        assertThat(server.last().text()).isEqualTo("{\"value\":\"sk-test:1\"}");
        assertThat(client.secrets().list()).containsExactly(EXPECTED);
        assertThat(client.secrets().get("API_KEY")).isEqualTo(EXPECTED);
        client.secrets().remove("API_KEY");
        assertThat(server.last().method()).isEqualTo("DELETE");

        assertThat(async.secrets().set("API_KEY", "v").join()).isEqualTo(EXPECTED);
        assertThat(async.secrets().list().join()).containsExactly(EXPECTED);
        assertThat(async.secrets().get("API_KEY").join()).isEqualTo(EXPECTED);
        async.secrets().remove("API_KEY").join();
        assertThat(server.last().method()).isEqualTo("DELETE");
    }

    @Test
    void anEmptyValueIsRefusedBeforeAnyRequest() {
        assertThatThrownBy(() -> client.secrets().set("API_KEY", "")).isInstanceOf(ValidationException.class)
                .hasMessageContaining("value must not be empty");
        assertThatThrownBy(() -> client.secrets().set("API_KEY", "x".repeat(64 * 1024 + 1)))
                .isInstanceOf(ValidationException.class).hasMessageContaining("at most 65536");
        assertThat(server.requests).isEmpty();
    }

    @Test
    void errorsAreTheClientsExceptions() {
        server.on("GET", "/secrets/NOPE", c -> c.json(404, "{\"success\":false,\"error\":\"Secret 'NOPE' not found\","
                + "\"code\":\"not_found\"}"));
        server.on("PUT", "/secrets/1BAD", c -> c.json(400, "{\"success\":false,\"error\":\"invalid secret name '1BAD'\","
                + "\"code\":\"invalid_request\"}"));
        assertThatThrownBy(() -> client.secrets().get("NOPE")).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> client.secrets().remove("NOPE")).isInstanceOf(AgentKernelException.class);
        assertThatThrownBy(() -> client.secrets().set("1BAD", "v")).isInstanceOf(ValidationException.class);
        assertThatThrownBy(() -> async.secrets().get("NOPE").join()).isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(NotFoundException.class);
    }
}
