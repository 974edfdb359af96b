package dev.agentkernel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentkernel.testing.HostProcesses;
import dev.agentkernel.testing.TestDirectories;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A daemon closed gracefully and a new one started on the same state directory: running
 * sandboxes run again with their files and settings, stopped ones stay stopped, and a
 * sandbox whose files vanished meanwhile is removed (and audited).
 */
class RestartIT extends SandboxTestBase {

    @Test
    void aRunningSandboxRunsAgainWithItsFilesAndSettings() throws IOException {
        JsonNode created = api.createOk("restart-run", Map.of("profile", "restrictive", "memory_mb", 256, "vcpus", 1));
        // restrictive: a read-only file system but for /tmp and /var/tmp
        assertThat(api.writeText("restart-run", "/tmp/kept.txt", "kept across restarts\n").status()).isEqualTo(200);
        api.sh("restart-run", "echo tmp > /tmp/t; sleep 1000.5151 >/dev/null 2>&1 &");
        awaitHostProcess("1000.5151", true);

        restartDaemon();

        // the old daemon's sandbox processes ended with it (checked by restartDaemon), and are not back
        assertThat(HostProcesses.mentioning("1000.5151")).isEmpty();
        assertThat(fx.daemon.restarted()).as("sandboxes the new daemon started again").containsExactly("restart-run");
        JsonNode info = api.get("restart-run").data();
        assertThat(info.path("status").asText()).isEqualTo("running");
        for (String field : List.of("name", "backend", "vcpus", "memory_mb", "profile", "created_at")) {
            assertThat(info.get(field)).as("%s after the restart: %s vs %s", field, info, created).isEqualTo(created.get(field));
        }
        assertThat(names(api.list().data())).containsExactly("restart-run");
        assertThat(api.read("restart-run", "/tmp/kept.txt").data().path("content").asText())
                .isEqualTo("kept across restarts\n");
        assertThat(api.sh("restart-run", "cat /tmp/t")).isEqualTo("tmp\n");
        // still restrictive: no network, read-only root (probed as root of the sandbox: only the mount can refuse)
        assertThat(api.execOk("restart-run", List.of("sh", "-c", "ip -o link | wc -l; touch /probe 2>/dev/null && echo rw"
                + " || echo ro; touch /workspace/probe 2>/dev/null && echo rw || echo ro"), Map.of("sudo", true))
                .path("output").asText()).isEqualTo("1\nro\nro\n");
        JsonNode status = fx.get("/status").data();
        assertThat(status.path("sandboxes").path("running").asInt()).isEqualTo(1);
    }

    @Test
    void aStoppedSandboxStaysStopped() throws IOException {
        api.createOk("restart-stopped");
        api.sh("restart-stopped", "echo before > /workspace/f");
        assertThat(api.stop("restart-stopped").status()).isEqualTo(200);
        api.createOk("restart-running");

        restartDaemon();

        assertThat(fx.daemon.restarted()).containsExactly("restart-running");
        assertThat(api.get("restart-stopped").data().path("status").asText()).isEqualTo("stopped");
        assertThat(api.get("restart-running").data().path("status").asText()).isEqualTo("running");
        ServerTestBase.assertErrorEnvelope(api.exec("restart-stopped", List.of("true"), Map.of()), 409);
        JsonNode status = fx.get("/status").data().path("sandboxes");
        assertThat(status.path("total").asInt()).isEqualTo(2);
        assertThat(status.path("running").asInt()).isEqualTo(1);
        assertThat(status.path("stopped").asInt()).isEqualTo(1);

        assertThat(api.start("restart-stopped").status()).isEqualTo(200);
        assertThat(api.sh("restart-stopped", "cat /workspace/f")).isEqualTo("before\n");
    }

    @Test
    void aSandboxWhoseFilesVanishedIsRemovedAtStart() throws IOException {
        api.createOk("restart-gone-run");
        api.createOk("restart-gone-stopped");
        assertThat(api.stop("restart-gone-stopped").status()).isEqualTo(200);
        api.createOk("restart-intact");
        api.sh("restart-intact", "echo intact > /workspace/f");

        fx.closeKeepingState();
        assertNothingOfThisJvmLeft();
        for (String name : List.of("restart-gone-run", "restart-gone-stopped")) {
            deleteTree(fx.stateDir().resolve("sandboxes").resolve(name));
        }
        ServerFixture next = ServerFixture.startIn(fx.dir, MAX_RUNNING, List.of(KEY), 0, c -> c);
        api = new SandboxApi(next, api);
        fx = next;

        assertThat(names(api.list().data())).containsExactly("restart-intact");
        assertThat(fx.daemon.restarted()).containsExactly("restart-intact");
        for (String name : List.of("restart-gone-run", "restart-gone-stopped")) {
            ServerTestBase.assertErrorEnvelope(api.get(name), 404);
            api.forget(name);
            List<JsonNode> removed = new ArrayList<>();
            fx.get("/audit").data().forEach(e -> {
                if (e.path("sandbox").asText().equals(name) && e.path("event").asText().equals("sandbox_removed")) {
                    removed.add(e);
                }
            });
            assertThat(removed).as("sandbox_removed of %s in the global log", name).hasSize(1);
            assertThat(removed.getFirst().path("reason").asText()).as("%s", removed).containsIgnoringCase("missing");
        }
        assertThat(api.sh("restart-intact", "cat /workspace/f")).isEqualTo("intact\n");
        // the names are free again
        api.createOk("restart-gone-run");
        assertThat(api.sh("restart-gone-run", "ls -A /workspace")).isEmpty();
    }

    @Test
    void restartingTwiceInARowChangesNothing() throws IOException {
        api.createOk("restart-twice");
        api.sh("restart-twice", "echo 1 > /workspace/count");
        restartDaemon();
        restartDaemon();
        assertThat(fx.daemon.restarted()).containsExactly("restart-twice");
        assertThat(names(api.list().data())).containsExactly("restart-twice");
        assertThat(api.sh("restart-twice", "cat /workspace/count")).isEqualTo("1\n");
        long started = 0;
        for (JsonNode e : api.logs("restart-twice").data()) {
            if (e.path("event").asText().equals("sandbox_started")) {
                started++;
            }
        }
        assertThat(started).as("sandbox_started events: at create and at each of two restarts").isEqualTo(3);
    }

    // ---- helpers ------------------------------------------------------------------------------

    private static List<String> names(JsonNode list) {
        List<String> names = new ArrayList<>();
        list.forEach(n -> names.add(n.path("name").asText()));
        return names;
    }

    private static void deleteTree(Path root) throws IOException {
        assertThat(root).isDirectory();
        TestDirectories.delete(root);
    }

    private static void awaitHostProcess(String marker, boolean present) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (HostProcesses.mentioning(marker).isEmpty() == present && System.nanoTime() < deadline) {
            ServerFixture.sleep(50);
        }
        assertThat(HostProcesses.mentioning(marker).isEmpty()).as("host processes of 'sleep %s'", marker)
                .isEqualTo(!present);
    }
}
