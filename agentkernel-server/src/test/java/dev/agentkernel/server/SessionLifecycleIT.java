package dev.agentkernel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentkernel.core.session.Flavor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The lifecycle of code sessions with real sandboxes: idle expiry by the background
 * maintenance (and pausing it), eviction of the least recently used idle session, the session
 * and memory limits, orphan cleanup at start and at run time, and the interpreter pool.
 */
class SessionLifecycleIT {

    ServerFixture fx;

    @BeforeAll
    static void host() {
        ServerFixture.assumeSandboxHost();
    }

    @AfterEach
    void stop() throws IOException {
        if (fx != null) {
            fx.close();
        }
    }

    ServerFixture start(UnaryOperator<dev.agentkernel.core.session.SessionSettings> sessions) throws IOException {
        fx = ServerFixture.startIn(Files.createTempDirectory("ak-session-life-it-"), 8, List.of(), 0,
                c -> c.withSessions(sessions.apply(c.sessions())));
        return fx;
    }

    JsonNode run(String code) {
        ServerFixture.Response r = fx.postJson("/execute", Map.of("code", code));
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        return r.data();
    }

    ServerFixture.Response in(String id, String code) {
        return fx.postJson("/execute", Map.of("session_id", id, "code", code));
    }

    List<String> sessionDirs() throws IOException {
        Path dir = fx.stateDir().resolve("sessions");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).toList();
        }
    }

    @Test
    void anIdleSessionExpiresAndPausingTheMaintenanceHoldsItBack() throws Exception {
        start(s -> s.withSessionTimeout(Duration.ofSeconds(1)).withMaintenanceInterval(Duration.ofMillis(200)));
        JsonNode paused = fx.post("/maintenance/pause", "").data();
        assertThat(paused.path("paused").asBoolean()).isTrue();
        String id = run("x = 1").path("session_id").asText();
        assertThat(sessionDirs()).hasSize(1);
        ServerFixture.sleep(1800);
        assertThat(in(id, "print(x)").status()).as("paused: not expired").isEqualTo(200);
        JsonNode resumed = fx.post("/maintenance/resume", "").data();
        assertThat(resumed.path("paused").asBoolean()).isFalse();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (fx.get("/sessions/" + id).status() == 200 && System.nanoTime() < deadline) {
            ServerFixture.sleep(100);
        }
        ServerFixture.Response gone = in(id, "print(x)");
        assertThat(gone.status()).isEqualTo(404);
        assertThat(gone.json().path("error").asText()).contains("expired after 1 s idle");
        JsonNode stats = fx.get("/stats").data();
        assertThat(stats.path("maintenance").path("expired_total").asInt()).isEqualTo(1);
        assertThat(stats.path("maintenance").path("runs").asInt()).isPositive();
        assertThat(stats.path("active_sessions").asInt()).isZero();
        long filesDeadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!sessionDirs().isEmpty() && System.nanoTime() < filesDeadline) {
            ServerFixture.sleep(100);
        }
        assertThat(sessionDirs()).as("the expired session's files are gone").isEmpty();
    }

    @Test
    void aBusySessionDoesNotExpire() throws Exception {
        start(s -> s.withSessionTimeout(Duration.ofSeconds(1)).withMaintenanceInterval(Duration.ofMillis(200)));
        String id = run("import time").path("session_id").asText();
        JsonNode slow = in(id, "time.sleep(2.5)\nprint('done')").data();
        assertThat(slow.path("stdout").asText()).isEqualTo("done\n");
    }

    @Test
    void theLeastRecentlyUsedIdleSessionIsEvictedForANewOne() throws Exception {
        start(s -> s.withMaxSessions(2));
        String first = run("a = 1").path("session_id").asText();
        String second = run("b = 2").path("session_id").asText();
        assertThat(in(first, "a").status()).isEqualTo(200); // first is now the most recently used
        String third = run("c = 3").path("session_id").asText();
        ServerFixture.Response evicted = in(second, "b");
        assertThat(evicted.status()).isEqualTo(404);
        assertThat(evicted.json().path("error").asText()).contains("evicted");
        assertThat(in(first, "a").status()).isEqualTo(200);
        assertThat(in(third, "c").status()).isEqualTo(200);
        JsonNode stats = fx.get("/stats").data();
        assertThat(stats.path("active_sessions").asInt()).isEqualTo(2);
        assertThat(stats.path("maintenance").path("evicted_total").asInt()).isEqualTo(1);
    }

    @Test
    void withoutEvictionASessionOverTheLimitIsRefused() throws Exception {
        start(s -> s.withMaxSessions(1).withEvictIdle(false));
        String only = run("a = 1").path("session_id").asText();
        ServerFixture.Response refused = fx.postJson("/execute", Map.of("code", "1"));
        assertThat(refused.status()).as("%s", refused).isEqualTo(429);
        assertThat(refused.json().path("code").asText()).isEqualTo("resource_exhausted");
        assertThat(refused.json().path("error").asText()).contains("1 sessions are open (the maximum)");
        assertThat(in(only, "a").status()).isEqualTo(200);
    }

    @Test
    void theMemoryBudgetCountsFlavors() throws Exception {
        start(s -> s.withMaxTotalMemoryMb(3072).withEvictIdle(false));
        ServerFixture.Response medium = fx.postJson("/execute", Map.of("code", "1", "flavor", "medium"));
        assertThat(medium.status()).as("%s", medium).isEqualTo(200);
        assertThat(fx.postJson("/execute", Map.of("code", "1")).status()).isEqualTo(200);
        ServerFixture.Response over = fx.postJson("/execute", Map.of("code", "1"));
        assertThat(over.status()).as("%s", over).isEqualTo(429);
        assertThat(over.json().path("error").asText()).contains("memory budget (3072 MB)");
        assertThat(fx.get("/stats").data().path("memory_allocated_mb").asInt()).isEqualTo(3072);
    }

    @Test
    void aBusySessionIsNeverEvicted() throws Exception {
        start(s -> s.withMaxSessions(1));
        String busy = run("import time").path("session_id").asText();
        Thread sleeper = Thread.ofVirtual().start(() -> in(busy, "time.sleep(3)"));
        ServerFixture.sleep(500);
        ServerFixture.Response refused = fx.postJson("/execute", Map.of("code", "1"));
        assertThat(refused.status()).as("%s", refused).isEqualTo(429);
        assertThat(refused.json().path("error").asText()).contains("every session is busy");
        sleeper.join();
        assertThat(in(busy, "print('still here')").status()).isEqualTo(200);
    }

    @Test
    void orphanedSessionDirectoriesAreRemovedAtStartAndByTheMaintenance() throws Exception {
        Path dir = Files.createTempDirectory("ak-session-orphans-it-");
        Path left = Files.createDirectories(dir.resolve("state/sessions/i-00000000deadbeef/workspace"));
        Files.writeString(left.resolve("file.txt"), "left by a daemon that died");
        fx = ServerFixture.startIn(dir, 4, List.of(), 0,
                c -> c.withSessions(c.sessions().withMaintenanceInterval(Duration.ofMillis(200))));
        assertThat(Files.exists(left)).isFalse();
        JsonNode stats = fx.get("/stats").data();
        assertThat(stats.path("maintenance").path("orphans_removed_total").asInt()).isEqualTo(1);
        String id = run("x = 1").path("session_id").asText();
        Path late = Files.createDirectories(fx.stateDir().resolve("sessions/i-00000000cafef00d/tmp"));
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (Files.exists(late) && System.nanoTime() < deadline) {
            ServerFixture.sleep(100);
        }
        assertThat(Files.exists(late)).as("an orphan found at run time is removed").isFalse();
        assertThat(in(id, "x").status()).as("a live session's files are not orphans").isEqualTo(200);
        assertThat(sessionDirs()).hasSize(1);
        assertThat(fx.get("/stats").data().path("maintenance").path("orphans_removed_total").asInt()).isEqualTo(2);
    }

    @Test
    void aPooledInterpreterServesTheFirstExecutionOfANewSession() throws Exception {
        start(s -> s.withPoolPerTemplate(1));
        var pool = fx.daemon.sessions().pool().orElseThrow();
        assertThat(pool.awaitWarm(Duration.ofSeconds(30))).isTrue();
        JsonNode stats = fx.get("/stats").data();
        assertThat(stats.path("pool").path("python").path("ready").asInt()).isEqualTo(1);
        long served = pool.stats().served();
        JsonNode r = run("print('warm')");
        assertThat(r.path("stdout").asText()).isEqualTo("warm\n");
        assertThat(pool.stats().served()).isEqualTo(served + 1);
        // The pooled interpreter became the session: it is not handed out again, and a new one is started.
        assertThat(pool.awaitWarm(Duration.ofSeconds(30))).isTrue();
        JsonNode other = run("print('x' in globals())");
        assertThat(other.path("stdout").asText()).isEqualTo("False\n");
        assertThat(other.path("session_id").asText()).isNotEqualTo(r.path("session_id").asText());
        // A non-default flavor is not pooled: it starts cold and still works.
        ServerFixture.Response medium = fx.postJson("/execute", Map.of("code", "1", "flavor", Flavor.MEDIUM.id()));
        assertThat(medium.status()).isEqualTo(200);
    }

    @Test
    void configuredVolumesAreInEverySessionIncludingPooledOnes() throws Exception {
        Path dir = Files.createTempDirectory("ak-session-volumes-it-");
        Path shared = Files.createDirectories(dir.resolve("shared"));
        Files.writeString(shared.resolve("tool.py"), "def answer():\n    return 42\n");
        fx = ServerFixture.startIn(dir.resolve("daemon"), 4, List.of(), 0, c -> c.withAllowedDirs(List.of(shared))
                .withSessions(c.sessions().withPoolPerTemplate(1).withVolumes(
                        List.of(dev.agentkernel.core.session.VolumeMapping.parse(shared + ":/tools:ro")))));
        assertThat(fx.daemon.sessions().pool().orElseThrow().awaitWarm(Duration.ofSeconds(30))).isTrue();
        JsonNode pooled = run("import sys\nsys.path.insert(0, '/tools')\nimport tool\nprint(tool.answer())");
        assertThat(pooled.path("stdout").asText()).as("%s", pooled).isEqualTo("42\n");
        ServerFixture.Response readOnly = in(pooled.path("session_id").asText(), "open('/tools/x', 'w')");
        assertThat(readOnly.data().path("error").path("type").asText()).isEqualTo("OSError");
        ServerFixture.Response cold = fx.postJson("/execute", Map.of("template", "bash", "flavor", "medium",
                "code", "cat /tools/tool.py | head -1"));
        assertThat(cold.data().path("stdout").asText()).isEqualTo("def answer():\n");
    }

    @Test
    void aConfiguredWorkspaceIsSharedByTasksAndSessions() throws Exception {
        Path dir = Files.createTempDirectory("ak-session-workspace-it-");
        Path workspace = Files.createDirectories(dir.resolve("work"));
        fx = ServerFixture.startIn(dir.resolve("daemon"), 4, List.of(), 0,
                c -> c.withTasks(TaskConfig.defaults().withWorkspace(workspace)));
        JsonNode task = fx.postJson("/tasks", Map.of("code", "open('/workspace/from-task.txt', 'w').write('task was here')")).data();
        JsonNode done = fx.postJson("/tasks/" + task.path("task_id").asText() + "/wait", Map.of("timeout", 60)).data();
        assertThat(done.path("status").asText()).as("%s", done).isEqualTo("completed");
        JsonNode read = run("print(open('from-task.txt').read())\n_ = open('from-session.txt', 'w').write('session too')");
        assertThat(read.path("stdout").asText()).as("%s", read).isEqualTo("task was here\n");
        assertThat(Files.readString(workspace.resolve("from-session.txt"))).isEqualTo("session too");
    }
}
