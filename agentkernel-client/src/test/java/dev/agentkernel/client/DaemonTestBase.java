package dev.agentkernel.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Base of the integration tests against the shared keyed daemon: a blocking and an async client
 * with the key for each test, and the check after each test that it left no sandbox behind.
 */
@ExtendWith(Daemons.class)
abstract class DaemonTestBase {

    private static final AtomicInteger NAMES = new AtomicInteger();

    DaemonFixture fx;
    AgentKernel client;
    AsyncAgentKernel async;

    @BeforeEach
    void openClients() {
        fx = Daemons.keyed();
        client = fx.client();
        async = fx.asyncClient();
    }

    @AfterEach
    void nothingLeftBehind() {
        try {
            assertThat(client.listSandboxes()).as("sandboxes left behind by the test").isEmpty();
        } finally {
            async.close();
            client.close();
        }
    }

    /** A sandbox name no other test uses. */
    static String uniqueName(String prefix) {
        return prefix + "-" + ProcessHandle.current().pid() + "-" + NAMES.incrementAndGet();
    }
}
