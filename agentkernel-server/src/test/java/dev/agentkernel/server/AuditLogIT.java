package dev.agentkernel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The audit log: {@code GET /sandboxes/{name}/logs} and {@code GET /audit} record every change
 * of a sandbox, in order, with ISO-8601 timestamps, and keep them across a daemon restart.
 */
class AuditLogIT extends SandboxTestBase {

    @Test
    void aSandboxsLifeIsAuditedInOrder() {
        Instant begin = Instant.now().minusSeconds(1);
        api.createOk("audit-a", Map.of("profile", "moderate"));
        JsonNode exec = api.execOk("audit-a", List.of("sh", "-c", "exit 5"));
        assertThat(exec.path("exit_code").asInt()).isEqualTo(5);
        assertThat(api.writeText("audit-a", "/workspace/notes.txt", "twelve bytes").status()).isEqualTo(200);
        assertThat(api.read("audit-a", "/workspace/notes.txt").status()).isEqualTo(200);
        assertThat(api.deleteFile("audit-a", "/workspace/notes.txt").status()).isEqualTo(200);
        assertThat(api.stop("audit-a").status()).isEqualTo(200);
        assertThat(api.start("audit-a").status()).isEqualTo(200);
        Instant end = Instant.now().plusSeconds(1);

        ServerFixture.Response r = api.logs("audit-a");
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        JsonNode events = r.data();
        assertThat(events.isArray()).as("%s", r).isTrue();
        assertThat(types(events)).as("events of audit-a: %s", events).containsExactly("sandbox_created",
                "sandbox_started", "command_executed", "file_written", "file_read", "file_deleted", "sandbox_stopped",
                "sandbox_started");
        assertWellFormed(events, "audit-a", begin, end);

        JsonNode command = events.get(2);
        assertThat(command.path("exit_code").isIntegralNumber()).as("%s", command).isTrue();
        assertThat(command.path("exit_code").asInt()).as("%s", command).isEqualTo(5);
        assertThat(command.path("command").asText()).as("%s", command).contains("exit 5");
        JsonNode written = events.get(3);
        assertThat(written.path("path").asText()).isEqualTo("/workspace/notes.txt");
        assertThat(written.path("bytes").asLong()).isEqualTo(12);
        JsonNode read = events.get(4);
        assertThat(read.path("path").asText()).isEqualTo("/workspace/notes.txt");
        assertThat(read.path("bytes").asLong()).isEqualTo(12);
        assertThat(events.get(5).path("path").asText()).isEqualTo("/workspace/notes.txt");

        // a command that could not start is audited as well
        api.exec("audit-a", List.of("no-such-program-2718"), Map.of());
        JsonNode after = api.logs("audit-a").data();
        assertThat(after.size()).isEqualTo(events.size() + 1);
        JsonNode missing = after.get(after.size() - 1);
        assertThat(missing.path("event").asText()).isEqualTo("command_executed");
        assertThat(missing.path("exit_code").asInt()).isEqualTo(127);

        // the sandbox's log holds only its own events
        api.createOk("audit-other");
        api.sh("audit-other", "true");
        assertThat(api.logs("audit-a").data().size()).isEqualTo(after.size());
        assertThat(types(api.logs("audit-other").data())).containsExactly("sandbox_created", "sandbox_started",
                "command_executed");

        // removal: in the global log, after everything else of the sandbox
        assertThat(api.delete("audit-a").status()).isEqualTo(200);
        ServerTestBase.assertErrorEnvelope(api.logs("audit-a"), 404);
        JsonNode global = fx.get("/audit").data();
        assertThat(global.isArray()).isTrue();
        List<JsonNode> ofA = new ArrayList<>();
        global.forEach(e -> {
            if (e.path("sandbox").asText().equals("audit-a")) {
                ofA.add(e);
            }
        });
        assertThat(types(ofA)).as("global log of audit-a: %s", global).containsExactly("sandbox_created",
                "sandbox_started", "command_executed", "file_written", "file_read", "file_deleted", "sandbox_stopped",
                "sandbox_started", "command_executed", "sandbox_removed");
        assertWellFormed(global, null, begin, Instant.now().plusSeconds(1));
        assertThat(types(global)).contains("sandbox_created", "sandbox_removed");
    }

    @Test
    void limitGivesTheNewestEvents() {
        api.createOk("audit-limit");
        for (int i = 0; i < 3; i++) {
            api.sh("audit-limit", "exit 0");
        }
        JsonNode all = api.logs("audit-limit").data();
        assertThat(all.size()).isEqualTo(5);
        JsonNode two = fx.get("/sandboxes/audit-limit/logs?limit=2").data();
        assertThat(two.size()).isEqualTo(2);
        assertThat(two.get(0)).isEqualTo(all.get(3));
        assertThat(two.get(1)).isEqualTo(all.get(4));
        JsonNode global = fx.get("/audit?limit=1").data();
        assertThat(global.size()).isEqualTo(1);
        for (String bad : List.of("0", "-1", "x", "100000000000")) {
            ServerTestBase.assertErrorEnvelope(fx.get("/audit?limit=" + bad), 400);
        }
    }

    @Test
    void logsSurviveADaemonRestart() throws IOException {
        Instant begin = Instant.now().minusSeconds(1);
        api.createOk("audit-kept");
        api.sh("audit-kept", "echo before restart");
        assertThat(api.writeText("audit-kept", "/tmp/x", "x").status()).isEqualTo(200);
        api.createOk("audit-stopped");
        assertThat(api.stop("audit-stopped").status()).isEqualTo(200);
        api.createOk("audit-gone");
        assertThat(api.delete("audit-gone").status()).isEqualTo(200);
        JsonNode keptBefore = api.logs("audit-kept").data();
        JsonNode stoppedBefore = api.logs("audit-stopped").data();
        JsonNode globalBefore = fx.get("/audit").data();

        restartDaemon();

        JsonNode keptAfter = api.logs("audit-kept").data();
        assertThat(keptAfter.size()).as("%s", keptAfter).isGreaterThan(keptBefore.size());
        for (int i = 0; i < keptBefore.size(); i++) {
            assertThat(keptAfter.get(i)).as("event %d of audit-kept after the restart", i).isEqualTo(keptBefore.get(i));
        }
        // it ran when the daemon ended: started again by the new one, and that is audited
        List<String> newTypes = types(keptAfter).subList(keptBefore.size(), keptAfter.size());
        assertThat(newTypes).as("events of audit-kept added by the restart: %s", keptAfter).endsWith("sandbox_started");
        assertThat(api.logs("audit-stopped").data()).as("a stopped sandbox's log").isEqualTo(stoppedBefore);

        JsonNode globalAfter = fx.get("/audit").data();
        assertThat(globalAfter.size()).isGreaterThanOrEqualTo(globalBefore.size());
        for (int i = 0; i < globalBefore.size(); i++) {
            assertThat(globalAfter.get(i)).as("global event %d after the restart", i).isEqualTo(globalBefore.get(i));
        }
        assertThat(eventsOf(globalAfter, "audit-gone")).containsExactly("sandbox_created", "sandbox_started",
                "sandbox_removed");
        assertWellFormed(globalAfter, null, begin, Instant.now().plusSeconds(1));

        // and the log goes on
        api.sh("audit-kept", "echo after restart");
        JsonNode later = api.logs("audit-kept").data();
        assertThat(later.get(later.size() - 1).path("event").asText()).isEqualTo("command_executed");
    }

    // ---- helpers ------------------------------------------------------------------------------

    private static List<String> types(Iterable<JsonNode> events) {
        List<String> types = new ArrayList<>();
        events.forEach(e -> types.add(e.path("event").asText()));
        return types;
    }

    private static List<String> eventsOf(JsonNode global, String sandbox) {
        List<String> types = new ArrayList<>();
        global.forEach(e -> {
            if (e.path("sandbox").asText().equals(sandbox)) {
                types.add(e.path("event").asText());
            }
        });
        return types;
    }

    /** Each event: an ISO-8601 UTC timestamp in the window, its sandbox, non-decreasing time. */
    private static void assertWellFormed(Iterable<JsonNode> events, String sandbox, Instant begin, Instant end) {
        Instant previous = Instant.MIN;
        for (JsonNode e : events) {
            String text = e.path("timestamp").asText();
            assertThat(text).as("timestamp of %s", e).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z");
            Instant at = DateTimeFormatter.ISO_INSTANT.parse(text, Instant::from);
            assertThat(at).as("time of %s", e).isAfterOrEqualTo(previous);
            if (sandbox != null) {
                assertThat(at).as("time of %s", e).isBetween(begin, end);
                assertThat(e.path("sandbox").asText()).as("sandbox of %s", e).isEqualTo(sandbox);
            }
            assertThat(e.path("event").asText()).as("%s", e).matches("[a-z_]+");
            previous = at;
        }
    }
}
