package dev.agentkernel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentkernel.testing.HostLeftovers;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/**
 * Base of the server integration tests: skips the class unless the host can run real
 * sandboxes, starts one real server (API key on, 32 sandboxes at most) per class, checks after
 * every test and after the class that nothing was left on the host.
 */
abstract class ServerTestBase {

    static final String KEY = "it-key-7f3b2c";
    static final int MAX_CONCURRENT = 32;

    static ServerFixture fx;

    @BeforeAll
    static void startServer() throws IOException {
        ServerFixture.assumeSandboxHost();
        fx = ServerFixture.start(MAX_CONCURRENT, List.of(KEY));
    }

    @AfterEach
    void nothingLeftAfterTest() {
        if (fx != null) {
            fx.awaitNothingLeftBehind(Duration.ofSeconds(5));
        }
    }

    @AfterAll
    static void stopServer() throws IOException {
        if (fx == null) {
            return;
        }
        try {
            fx.awaitNothingLeftBehind(Duration.ofSeconds(5));
        } finally {
            fx.close();
            fx = null;
        }
        assertThat(ServerFixture.leftoverCgroups()).as("cgroups of this JVM after the class").isEmpty();
        assertThat(HostLeftovers.processes())
                .as("child processes of this JVM after the class").isEmpty();
    }

    /**
     * Asserts an error response: {@code status}, JSON content type, {@code {"success": false,
     * "error": "<human message>"}} and no Java internals in the message or body.
     */
    static JsonNode assertErrorEnvelope(ServerFixture.Response r, int status) {
        assertThat(r.status()).as("status of %s", r).isEqualTo(status);
        assertThat(r.contentType()).as("content type of %s", r).startsWith("application/json");
        JsonNode json = r.json();
        assertThat(json.isObject()).as("envelope %s", r).isTrue();
        assertThat(json.path("success").isBoolean() && !json.path("success").booleanValue())
                .as("success:false in %s", r).isTrue();
        assertThat(json.path("error").isTextual()).as("error is a string in %s", r).isTrue();
        if (json.has("code")) {
            assertThat(json.path("code").asText()).as("machine-readable code in %s", r).matches("[a-z_]+");
        }
        String message = json.path("error").asText();
        assertThat(message).as("error message of %s", r).isNotBlank();
        assertNoJavaInternals(r.body());
        return json;
    }

    /** No exception class names, packages or stack frames in text meant for API users. */
    static void assertNoJavaInternals(String text) {
        assertThat(text).as("text shown to API users: %s", text)
                .doesNotContain("Exception")
                .doesNotContain("java.")
                .doesNotContain("jdk.")
                .doesNotContain("dev.agentkernel")
                .doesNotContain("io.helidon")
                .doesNotContain("com.fasterxml")
                .doesNotContainPattern("\\bat [a-z]+\\.[a-zA-Z.$]+\\(")
                .doesNotContain("\tat ");
    }
}
