package dev.agentkernel.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base of the SDK's tests against a {@link FakeServer}: a fresh server and a blocking client of it
 * (sending {@link #apiKey()}) for each test, both closed after it. A subclass adds its routes in its
 * own {@code @BeforeEach}, which JUnit runs after this one.
 */
abstract class FakeServerTestBase {

    static final ObjectMapper JSON = new ObjectMapper();

    FakeServer server;
    AgentKernel client;

    /** The API key the client sends; none unless a subclass says so. */
    String apiKey() {
        return null;
    }

    @BeforeEach
    void startFakeServer() throws Exception {
        server = new FakeServer();
        client = server.client(apiKey());
    }

    @AfterEach
    void stopFakeServer() {
        client.close();
        server.close();
    }

    /** The body of request {@code r} as JSON. */
    static JsonNode json(FakeServer.Request r) throws Exception {
        return JSON.readTree(r.body());
    }
}
