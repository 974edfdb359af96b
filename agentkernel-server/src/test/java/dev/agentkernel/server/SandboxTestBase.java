package dev.agentkernel.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentkernel.testing.HostLeftovers;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/**
 * Base of the integration tests of persistent sandboxes: one real daemon per class (API key
 * on, no pool, {@link #MAX_RUNNING} sandboxes at most), the sandboxes a test created removed
 * after it and then nothing of it left on the host; after the class, the daemon closed and no
 * cgroup or child process of this JVM left.
 */
abstract class SandboxTestBase {

    /** {@code POST /run} of {@code argv} with {@code extra} fields, which must answer 200: its data. */
    static com.fasterxml.jackson.databind.JsonNode runOk(List<String> argv, Map<String, ?> extra) {
        ServerFixture.Response r = fx.run(argv, extra);
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        return r.data();
    }

    static final String KEY = "it-sandbox-key-5d1e";
    static final int MAX_RUNNING = 8;

    static ServerFixture fx;
    static SandboxApi api;
    /** What the daemon's environment holds beyond this JVM's (kept across {@link #restartDaemon()}). */
    static Map<String, String> daemonEnv = Map.of();

    @BeforeAll
    static void startDaemon() throws IOException {
        ServerFixture.assumeSandboxHost();
        fx = ServerFixture.start(MAX_RUNNING, List.of(KEY));
        api = new SandboxApi(fx);
    }

    @AfterEach
    void removeSandboxesOfTheTest() {
        if (fx == null) {
            return;
        }
        List<String> failures = api.removeAll();
        assertThat(failures).as("removing the sandboxes the test created").isEmpty();
        fx.awaitNothingLeftBehind(Duration.ofSeconds(10));
    }

    @AfterAll
    static void closeDaemon() throws IOException {
        if (fx == null) {
            return;
        }
        try {
            api.removeAll();
        } finally {
            fx.close();
            fx = null;
            api = null;
            daemonEnv = Map.of();
        }
        assertNothingOfThisJvmLeft();
    }

    /**
     * Closes the daemon gracefully (as at a shutdown: running sandboxes are stopped, their
     * records kept), checks that none of its sandboxes' processes or cgroups outlived it, and
     * starts a new daemon on the same state directory.
     */
    static void restartDaemon() throws IOException {
        fx.closeKeepingState();
        assertNothingOfThisJvmLeft();
        ServerFixture next = ServerFixture.startIn(fx.dir, MAX_RUNNING, List.of(KEY), 0, c -> c, daemonEnv);
        api = new SandboxApi(next, api);
        fx = next;
    }

    /** After a daemon closed: no cgroup named after this JVM and no child process of it. */
    static void assertNothingOfThisJvmLeft() {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while ((!ServerFixture.leftoverCgroups().isEmpty() || !HostLeftovers.processes().isEmpty())
                && System.nanoTime() < deadline) {
            ServerFixture.sleep(50);
        }
        assertThat(ServerFixture.leftoverCgroups()).as("cgroups of this JVM after the daemon closed").isEmpty();
        assertThat(HostLeftovers.processes())
                .as("child processes of this JVM after the daemon closed").isEmpty();
    }
}
