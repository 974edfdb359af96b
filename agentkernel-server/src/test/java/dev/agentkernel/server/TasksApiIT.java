package dev.agentkernel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentkernel.core.task.TaskSettings;
import dev.agentkernel.testing.HostProcesses;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Background tasks over HTTP with real sandboxes: many dispatched and collected, queueing past
 * the worker limit, cancellation that kills the task's processes, timeouts, failures with their
 * error, the shared workspace, tool libraries, and records that outlive the daemon.
 */
class TasksApiIT {

    @RegisterExtension
    static final DaemonHome HOME = new DaemonHome("ak-tasks-it-");
    static Path tools;
    static ServerFixture fx;

    @BeforeAll
    static void start() throws IOException {
        tools = HOME.createDirectories("tools");
        Files.writeString(tools.resolve("finance.py"), "def average(xs):\n    return sum(xs) / len(xs)\n");
        fx = startDaemon();
    }

    static ServerFixture startDaemon() throws IOException {
        return HOME.start(8, List.of(), 0, c -> c.withTasks(TaskConfig.defaults()
                .withSettings(TaskSettings.defaults().withMaxWorkers(2)).withToolsDir(tools)));
    }

    static JsonNode dispatch(Map<String, ?> body) {
        ServerFixture.Response r = fx.postJson("/tasks", body);
        assertThat(r.status()).as("%s", r).isEqualTo(202);
        JsonNode task = r.data();
        assertThat(task.path("status").asText()).isEqualTo("running");
        assertThat(task.path("task_id").asText()).matches("task-[0-9a-f]{16}");
        return task;
    }

    static JsonNode await(String id, int seconds) {
        ServerFixture.Response r = fx.postJson("/tasks/" + id + "/wait", Map.of("timeout", seconds));
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        return r.data();
    }

    @Test
    void manyTasksAreDispatchedAtOnceAndCollected() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            ids.add(dispatch(Map.of("code", "print(" + i + " * " + i + ")")).path("task_id").asText());
        }
        for (int i = 0; i < 6; i++) {
            JsonNode done = await(ids.get(i), 60);
            assertThat(done.path("status").asText()).as("%s", done).isEqualTo("completed");
            assertThat(done.path("output").asText()).isEqualTo((i * i) + "\n");
            assertThat(done.path("exit_code").asInt()).isZero();
            assertThat(done.path("error").isNull()).isTrue();
            assertThat(done.path("code").asText()).isEqualTo("print(" + i + " * " + i + ")");
        }
        JsonNode listed = fx.get("/tasks").data().path("tasks");
        List<String> listedIds = new ArrayList<>();
        listed.forEach(t -> listedIds.add(t.path("task_id").asText()));
        assertThat(listedIds).containsAll(ids);
    }

    @Test
    void tasksPastTheWorkerLimitWaitTheirTurn() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ids.add(dispatch(Map.of("code", "import time\ntime.sleep(1.5)\nprint('slept')")).path("task_id").asText());
        }
        ServerFixture.sleep(700);
        long queued = ids.stream().filter(id -> fx.get("/tasks/" + id).data().path("queued").asBoolean()).count();
        assertThat(queued).as("two workers: two tasks wait").isEqualTo(2);
        for (String id : ids) {
            assertThat(await(id, 60).path("status").asText()).isEqualTo("completed");
        }
    }

    @Test
    void cancellingARunningTaskKillsItsProcesses() {
        String marker = "3" + System.nanoTime() % 1000;
        JsonNode task = dispatch(Map.of("code", "import subprocess, time\n"
                + "subprocess.Popen(['sleep', '" + marker + "'])\nprint('started', flush=True)\ntime.sleep(300)"));
        String id = task.path("task_id").asText();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!fx.get("/tasks/" + id).data().path("output").asText().contains("started") && System.nanoTime() < deadline) {
            ServerFixture.sleep(100);
        }
        assertThat(fx.get("/tasks/" + id).data().path("output").asText()).as("output so far").isEqualTo("started\n");
        assertThat(HostProcesses.mentioning("sleep " + marker)).isNotEmpty();
        ServerFixture.Response r = fx.postJson("/tasks/" + id + "/cancel", Map.of());
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        assertThat(r.data().path("success").asBoolean()).isTrue();
        assertThat(r.data().path("task").path("status").asText()).isEqualTo("cancelled");
        assertThat(HostProcesses.mentioning("sleep " + marker)).as("the task's processes are gone").isEmpty();
        JsonNode again = fx.send(fx.request("/tasks/" + id).DELETE().build()).data();
        assertThat(again.path("success").asBoolean()).isFalse();
        assertThat(again.path("message").asText()).contains("already ended");
    }

    /** A task under a network policy: its sandbox's DNS is answered by the policy's resolver (REFUSED for a name not allowed). */
    @Test
    void aTaskRunsUnderItsNetworkPolicy() {
        String code = dev.agentkernel.testing.DnsProbe.query("10.0.2.3", "deb.debian.org");
        JsonNode task = dispatch(Map.of("code", code, "network_policy", Map.of("allow_domains", List.of("allowed.example"))));
        JsonNode done = await(task.path("task_id").asText(), 60);
        assertThat(done.path("output").asText()).as(done.toString()).contains("rcode 5");
        ServerFixture.Response bad = fx.postJson("/tasks", Map.of("code", "print(1)", "network_policy",
                Map.of("deny_addresses", List.of("not-a-range"))));
        assertThat(bad.status()).as(bad.toString()).isEqualTo(400);
        assertThat(bad.body()).contains("deny_addresses");
    }

    @Test
    void aTaskPastItsTimeoutIsKilled() {
        JsonNode task = dispatch(Map.of("code", "while True:\n    pass", "timeout", 1));
        JsonNode done = await(task.path("task_id").asText(), 30);
        assertThat(done.path("status").asText()).isEqualTo("timeout");
        assertThat(done.path("error").asText()).contains("timeout of 1 s");
    }

    @Test
    void aFailingTaskCarriesItsError() {
        JsonNode done = await(dispatch(Map.of("code", "print('before')\nraise ValueError('bad input')"))
                .path("task_id").asText(), 60);
        assertThat(done.path("status").asText()).isEqualTo("failed");
        assertThat(done.path("output").asText()).isEqualTo("before\n");
        assertThat(done.path("error").asText()).contains("ValueError: bad input").contains("Traceback");
        assertThat(done.path("exit_code").asInt()).isEqualTo(1);
        assertThat(done.path("attempts").asInt()).as("the code's own failure is not retried").isEqualTo(1);
        JsonNode verbose = await(dispatch(Map.of("code", "import sys\nprint('out')\nprint('err', file=sys.stderr)",
                "verbose", true)).path("task_id").asText(), 60);
        assertThat(verbose.path("output").asText()).contains("out\n").contains("err\n").contains("exit code 0");
    }

    @Test
    void oneTasksFilesAreInTheWorkspaceForTheNext() {
        JsonNode write = await(dispatch(Map.of("code", "import csv\nwith open('/workspace/prices.csv', 'w', newline='') as f:\n"
                + "    w = csv.writer(f)\n    w.writerow(['day', 'price'])\n    w.writerows([[1, 10.0], [2, 12.0], [3, 14.0]])\n"
                + "print('wrote')")).path("task_id").asText(), 60);
        assertThat(write.path("status").asText()).as("%s", write).isEqualTo("completed");
        JsonNode read = await(dispatch(Map.of("code", "import csv, finance\nrows = list(csv.DictReader(open('prices.csv')))\n"
                + "print(finance.average([float(r['price']) for r in rows]))", "required_tools", List.of("finance")))
                .path("task_id").asText(), 60);
        assertThat(read.path("status").asText()).as("%s", read).isEqualTo("completed");
        assertThat(read.path("output").asText()).isEqualTo("12.0\n");
        JsonNode missing = await(dispatch(Map.of("code", "print(1)", "required_tools", Map.of("weather", List.of("forecast"))))
                .path("task_id").asText(), 60);
        assertThat(missing.path("status").asText()).isEqualTo("failed");
        assertThat(missing.path("error").asText()).contains("required tool library 'weather' is not in the tools directory");
        JsonNode readOnly = await(dispatch(Map.of("code", "open('/tools/x.py', 'w')")).path("task_id").asText(), 60);
        assertThat(readOnly.path("status").asText()).isEqualTo("failed");
        assertThat(readOnly.path("error").asText()).contains("Read-only file system");
    }

    @Test
    void codeSessionsCanImportTheToolLibraries() throws IOException {
        JsonNode r = fx.postJson("/execute", Map.of("code", "import finance\nprint(finance.average([1, 2, 3]))")).data();
        assertThat(r.path("stdout").asText()).as("%s", r).isEqualTo("2.0\n");
        fx.send(fx.request("/sessions/" + r.path("session_id").asText()).DELETE().build());
    }

    @Test
    void toolLibrariesAreDiscoverable() {
        JsonNode all = fx.get("/tools").data();
        assertThat(all.path("libraries").get(0).path("name").asText()).isEqualTo("finance");
        assertThat(all.path("libraries").get(0).path("functions").get(0).path("signature").asText()).isEqualTo("average(xs)");
        assertThat(fx.get("/tools?query=average").data().path("libraries")).hasSize(1);
        assertThat(fx.get("/tools?query=weather").data().path("libraries")).isEmpty();
        assertThat(fx.send(fx.request("/tools/cache").DELETE().build()).data().path("cleared").asBoolean()).isTrue();
    }

    @Test
    void badRequestsGetClearErrors() {
        record Case(String method, String path, Map<String, ?> body, int status, String says) {
        }
        List<Case> cases = List.of(
                new Case("POST", "/tasks", Map.of(), 400, "code is required"),
                new Case("POST", "/tasks", Map.of("code", " "), 400, "must not be empty"),
                new Case("POST", "/tasks", Map.of("code", 1), 400, "code must be a string"),
                new Case("POST", "/tasks", Map.of("code", "1", "template", "cobol"), 400, "unknown template"),
                new Case("POST", "/tasks", Map.of("code", "1", "timeout", 0), 400, "timeout"),
                new Case("POST", "/tasks", Map.of("code", "1", "timeout", 7200), 400, "at most 3600"),
                new Case("POST", "/tasks", Map.of("code", "1", "verbose", "yes"), 400, "verbose must be true or false"),
                new Case("POST", "/tasks", Map.of("code", "1", "required_tools", "finance"), 400, "required_tools"),
                new Case("GET", "/tasks/task-0000000000000000", Map.of(), 404, "not found"),
                new Case("GET", "/tasks/nope", Map.of(), 404, "invalid id"),
                new Case("POST", "/tasks/task-0000000000000000/cancel", Map.of(), 404, "not found"),
                new Case("POST", "/tasks/task-0000000000000000/wait", Map.of("timeout", 9999), 400, "at most 600"));
        for (Case c : cases) {
            ServerFixture.Response r = c.method().equals("GET") ? fx.get(c.path()) : fx.postJson(c.path(), c.body());
            assertThat(r.status()).as("%s %s -> %s", c.method(), c.path(), r).isEqualTo(c.status());
            assertThat(r.json().path("error").asText()).as("%s", r).contains(c.says());
        }
        assertThat(fx.get("/tasks/task-0000000000000000/wait?timeout=abc").status()).isIn(400, 404);
        String quick = dispatch(Map.of("code", "print(1)")).path("task_id").asText();
        assertThat(fx.postJson("/tasks/" + quick + "/wait", Map.of("timeout", 0)).status()).as("a wait of 0 s just looks")
                .isEqualTo(200);
        assertThat(fx.postJson("/tasks/" + quick + "/wait", Map.of("timeout", -1)).status()).isEqualTo(400);
    }

    @Test
    void resultsOutliveTheDaemonAndUnfinishedTasksAreReportedFailed() throws IOException {
        String done = dispatch(Map.of("code", "print('kept')")).path("task_id").asText();
        assertThat(await(done, 60).path("status").asText()).isEqualTo("completed");
        String unfinished = dispatch(Map.of("code", "import time\ntime.sleep(300)")).path("task_id").asText();
        ServerFixture.sleep(300);
        fx.closeKeepingState();
        fx = startDaemon();
        JsonNode kept = fx.get("/tasks/" + done).data();
        assertThat(kept.path("status").asText()).isEqualTo("completed");
        assertThat(kept.path("output").asText()).isEqualTo("kept\n");
        JsonNode failed = fx.get("/tasks/" + unfinished).data();
        assertThat(failed.path("status").asText()).isEqualTo("failed");
        assertThat(failed.path("error").asText()).contains("the daemon stopped");
    }
}
