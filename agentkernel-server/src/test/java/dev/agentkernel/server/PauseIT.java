package dev.agentkernel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentkernel.core.sandbox.PauseSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Pause and resume of persistent sandboxes over HTTP on real sandboxes: a paused sandbox uses no
 * CPU (measured from its cgroup) and a counter loop in it continues where it stopped; its status;
 * exec on a paused sandbox resumes it (the default) or gets 409 (the other setting); idle
 * sandboxes pause themselves and their next exec resumes them; stop, remove and a daemon restart
 * of a paused sandbox; the audit events; the errors.
 */
class PauseIT extends SandboxTestBase {

    /** A busy loop whose counter lives in the shell's memory, written to /tmp/c every 500 steps. */
    private static final String COUNTER = "setsid sh -c 'i=0; while :; do i=$((i+1)); if [ $((i % 500)) -eq 0 ]; then "
            + "echo $i > /tmp/c.new; mv /tmp/c.new /tmp/c; fi; done' </dev/null >/dev/null 2>&1 &";

    private static ServerFixture.Response pause(SandboxApi on, String name) {
        return on.fx.post("/sandboxes/" + name + "/pause", "");
    }

    private static ServerFixture.Response resume(SandboxApi on, String name) {
        return on.fx.post("/sandboxes/" + name + "/resume", "");
    }

    private static String status(SandboxApi on, String name) {
        return on.get(name).data().path("status").asText();
    }

    private static void startCounter(SandboxApi on, String name) {
        on.sh(name, COUNTER);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (on.read(name, "/tmp/c").status() != 200 && System.nanoTime() < deadline) {
            ServerFixture.sleep(20);
        }
    }

    private static long counter(SandboxApi on, String name) {
        return Long.parseLong(on.sh(name, "cat /tmp/c").strip());
    }

    private static long cpuOver(ServerFixture on, String name, Duration window) {
        long before = on.daemon.sandboxes().cpuUsageMicros(name)
                .orElseThrow(() -> new AssertionError("the host reports no CPU use of sandbox " + name));
        ServerFixture.sleep(window.toMillis());
        return on.daemon.sandboxes().cpuUsageMicros(name).orElseThrow() - before;
    }

    /** The {@code automatic} detail of each {@code event} of the sandbox's log, oldest first. */
    private static List<Boolean> automatic(SandboxApi on, String name, String event) {
        List<Boolean> found = new ArrayList<>();
        for (JsonNode e : on.logs(name).data()) {
            if (e.path("event").asText().equals(event)) {
                found.add(e.path("automatic").asBoolean()); // details are fields of the event
            }
        }
        return found;
    }

    @Test
    void aPausedSandboxUsesNoCpuAndItsCounterContinuesAfterResume() {
        api.createOk("pause-counter", Map.of("network", false));
        startCounter(api, "pause-counter");
        assertThat(cpuOver(fx, "pause-counter", Duration.ofMillis(500))).as("CPU of the running loop (µs)")
                .isGreaterThan(100_000);
        long beforePause = counter(api, "pause-counter");

        ServerFixture.Response paused = pause(api, "pause-counter");
        assertThat(paused.status()).as("%s", paused).isEqualTo(200);
        assertThat(paused.data().path("status").asText()).isEqualTo("paused");
        assertThat(status(api, "pause-counter")).isEqualTo("paused");
        JsonNode listed = null;
        for (JsonNode s : api.list().data()) {
            if (s.path("name").asText().equals("pause-counter")) {
                listed = s;
            }
        }
        assertThat(listed).isNotNull();
        assertThat(listed.path("status").asText()).isEqualTo("paused");
        assertThat(cpuOver(fx, "pause-counter", Duration.ofSeconds(1))).as("CPU over 1 s while paused (µs)")
                .isLessThan(5_000);
        assertThat(pause(api, "pause-counter").data().path("status").asText()).as("pause is idempotent")
                .isEqualTo("paused");

        ServerFixture.Response resumed = resume(api, "pause-counter");
        assertThat(resumed.status()).as("%s", resumed).isEqualTo(200);
        assertThat(resumed.data().path("status").asText()).isEqualTo("running");
        long afterResume = counter(api, "pause-counter");
        assertThat(afterResume).as("the counter goes on from where it was (memory kept), not from 0")
                .isGreaterThanOrEqualTo(beforePause);
        ServerFixture.sleep(300);
        assertThat(counter(api, "pause-counter")).as("and keeps counting").isGreaterThan(afterResume);
        assertThat(resume(api, "pause-counter").data().path("status").asText()).as("resume is idempotent")
                .isEqualTo("running");
        assertThat(automatic(api, "pause-counter", "sandbox_paused")).containsExactly(false);
        assertThat(automatic(api, "pause-counter", "sandbox_resumed")).containsExactly(false);
    }

    @Test
    void anExecOnAPausedSandboxResumesItByDefault() {
        api.createOk("pause-exec", Map.of("network", false));
        api.sh("pause-exec", "echo kept > /tmp/mark");
        assertThat(pause(api, "pause-exec").status()).isEqualTo(200);
        assertThat(api.sh("pause-exec", "cat /tmp/mark")).isEqualTo("kept\n");
        assertThat(status(api, "pause-exec")).isEqualTo("running");
        assertThat(pause(api, "pause-exec").status()).isEqualTo(200);
        assertThat(api.read("pause-exec", "/tmp/mark").status()).as("a file read resumes it too").isEqualTo(200);
        assertThat(status(api, "pause-exec")).isEqualTo("running");
        assertThat(automatic(api, "pause-exec", "sandbox_resumed")).containsExactly(true, true);
    }

    @Test
    void unknownAndStoppedSandboxesAreRefused() {
        ServerTestBase.assertErrorEnvelope(pause(api, "pause-nobody"), 404);
        ServerTestBase.assertErrorEnvelope(resume(api, "pause-nobody"), 404);
        api.createOk("pause-stopped", Map.of("network", false));
        assertThat(api.stop("pause-stopped").status()).isEqualTo(200);
        assertThat(ServerTestBase.assertErrorEnvelope(pause(api, "pause-stopped"), 409).path("error").asText())
                .contains("stopped");
        ServerTestBase.assertErrorEnvelope(resume(api, "pause-stopped"), 409);
    }

    @Test
    void stopAndRemoveOfAPausedSandboxLeaveNothing() {
        api.createOk("pause-stop", Map.of("network", false));
        startCounter(api, "pause-stop");
        assertThat(pause(api, "pause-stop").status()).isEqualTo(200);
        long begin = System.nanoTime();
        ServerFixture.Response stopped = api.stop("pause-stop");
        assertThat(stopped.status()).as("%s", stopped).isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - begin)).as("stop of a paused sandbox")
                .isLessThan(Duration.ofSeconds(5));
        assertThat(status(api, "pause-stop")).isEqualTo("stopped");
        fx.awaitNothingLeftBehind(Duration.ofSeconds(5));

        assertThat(api.start("pause-stop").status()).isEqualTo(200);
        startCounter(api, "pause-stop");
        assertThat(pause(api, "pause-stop").status()).isEqualTo(200);
        assertThat(api.delete("pause-stop").status()).isEqualTo(200);
        fx.awaitNothingLeftBehind(Duration.ofSeconds(5));
    }

    @Test
    void aDaemonRestartStartsAPausedSandboxAgain() throws IOException {
        api.createOk("pause-restart", Map.of("network", false));
        api.sh("pause-restart", "echo kept > /workspace/mark");
        assertThat(pause(api, "pause-restart").status()).isEqualTo(200);
        restartDaemon();
        assertThat(status(api, "pause-restart")).isEqualTo("running");
        assertThat(api.sh("pause-restart", "cat /workspace/mark")).isEqualTo("kept\n");
    }

    @Test
    void refusingAccessAndPausingIdleSandboxes() throws IOException {
        ServerFixture other = ServerFixture.startIn(Files.createTempDirectory("ak-pause-it-"), MAX_RUNNING, List.of(KEY), 0,
                c -> c.withPausing(new PauseSettings(false, Optional.of(Duration.ofSeconds(2)))));
        SandboxApi on = new SandboxApi(other);
        try {
            on.createOk("pause-refuse", Map.of("network", false));
            assertThat(pause(on, "pause-refuse").status()).isEqualTo(200);
            String refused = ServerTestBase.assertErrorEnvelope(on.exec("pause-refuse", List.of("true"), Map.of()), 409)
                    .path("error").asText();
            assertThat(refused).contains("paused").contains("resume");
            ServerTestBase.assertErrorEnvelope(on.read("pause-refuse", "/etc/hostname"), 409);
            ServerTestBase.assertErrorEnvelope(other.post("/sandboxes/pause-refuse/exec/stream",
                    "{\"command\": [\"true\"]}"), 409);
            assertThat(status(on, "pause-refuse")).isEqualTo("paused");
            assertThat(resume(on, "pause-refuse").status()).isEqualTo(200);
            assertThat(on.sh("pause-refuse", "echo back")).isEqualTo("back\n");

            // an exec longer than the idle time is not paused under it
            assertThat(on.sh("pause-refuse", "sleep 3; echo slept")).isEqualTo("slept\n");
            // an open interactive session keeps it from pausing
            ServerFixture.Response attached = other.post("/sandboxes/pause-refuse/attach", "{\"command\": [\"cat\"]}");
            assertThat(attached.status()).as("%s", attached).isEqualTo(201);
            ServerFixture.sleep(4_000);
            assertThat(status(on, "pause-refuse")).as("with a session open for twice the idle time").isEqualTo("running");
            String session = attached.data().path("session").asText();
            assertThat(other.send(other.request("/attach/" + session).DELETE().build()).status()).isEqualTo(200);
            // idle: it pauses itself
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (!status(on, "pause-refuse").equals("paused") && System.nanoTime() < deadline) {
                ServerFixture.sleep(100);
            }
            assertThat(status(on, "pause-refuse")).as("after the idle time").isEqualTo("paused");
            assertThat(automatic(on, "pause-refuse", "sandbox_paused")).containsExactly(false, true);
            // paused automatically: its next exec resumes it even though owners' pauses are refused
            assertThat(on.sh("pause-refuse", "echo awake")).isEqualTo("awake\n");
            assertThat(status(on, "pause-refuse")).isEqualTo("running");
            assertThat(automatic(on, "pause-refuse", "sandbox_resumed")).containsExactly(false, true);
        } finally {
            on.removeAll();
            other.close();
        }
    }
}
