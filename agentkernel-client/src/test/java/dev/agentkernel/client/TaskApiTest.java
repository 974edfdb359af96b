package dev.agentkernel.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The task and tool routes, {@link TaskManager} and {@code executeTask} against a fake server. */
class TaskApiTest extends FakeServerTestBase {


    /** A task as the daemon sends it, with {@code status} and {@code output}. */
    static String task(String id, String status, String output) {
        boolean done = !status.equals("running");
        return """
                {"task_id":"%s","status":"%s","queued":false,"output":"%s","error":%s,"exit_code":%s,"attempts":1,
                 "template":"python","timeout":300,"verbose":false,"required_tools":["finance"],
                 "created_at":"2026-11-22T09:30:00Z","started_at":"2026-11-22T09:30:01Z","finished_at":%s}"""
                .formatted(id, status, output, status.equals("failed") ? "\"ZeroDivisionError: division by zero\"" : "null",
                        done ? (status.equals("completed") ? "0" : "1") : "null",
                        done ? "\"2026-11-22T09:30:02.500Z\"" : "null");
    }

    @Test
    void dispatchSendsTheCodeAndOptionsAndMapsTheTask() throws Exception {
        server.on("POST", "/tasks", c -> c.json(202, "{\"success\":true,\"data\":" + task("task-1", "running", "") + "}"));
        TaskInfo t = client.dispatchTask("print(1)", TaskOptions.defaults().withTemplate("python")
                .withTimeout(Duration.ofMillis(1500)).withVerbose(true).withRequiredTool("finance").withRequiredTool("weather"));
        assertThat(json(server.last())).isEqualTo(JSON.readTree("""
                {"code":"print(1)","template":"python","timeout":1.5,"verbose":true,"required_tools":["finance","weather"]}"""));
        assertThat(t).isEqualTo(new TaskInfo("task-1", TaskStatus.RUNNING, false, "", Optional.empty(), Optional.empty(), 1,
                "python", Duration.ofMinutes(5), false, List.of("finance"), Optional.empty(),
                Optional.of(Instant.parse("2026-11-22T09:30:00Z")), Optional.of(Instant.parse("2026-11-22T09:30:01Z")),
                Optional.empty()));
        assertThat(t.isFinal()).isFalse();

        client.dispatchTask("print(2)");
        assertThat(json(server.last())).isEqualTo(JSON.readTree("{\"code\":\"print(2)\",\"verbose\":false}"));
    }

    @Test
    void getListCancelAndTheirPaths() throws Exception {
        server.on("GET", "/tasks/task-1", c -> c.data(task("task-1", "failed", "before\\n")));
        TaskInfo failed = client.getTask("task-1");
        assertThat(failed.status()).isEqualTo(TaskStatus.FAILED);
        assertThat(failed.output()).isEqualTo("before\n");
        assertThat(failed.error()).contains("ZeroDivisionError: division by zero");
        assertThat(failed.exitCode()).contains(1);
        assertThat(failed.finishedAt()).contains(Instant.parse("2026-11-22T09:30:02.500Z"));

        server.on("GET", "/tasks", c -> c.data("{\"tasks\":[" + task("task-2", "running", "") + ","
                + task("task-1", "completed", "ok") + "]}"));
        assertThat(client.listTasks()).extracting(TaskInfo::taskId, TaskInfo::status)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("task-2", TaskStatus.RUNNING),
                        org.assertj.core.groups.Tuple.tuple("task-1", TaskStatus.COMPLETED));

        server.on("POST", "/tasks/task-2/cancel", c -> c.data("{\"success\":true,\"message\":\"task task-2 was cancelled\","
                + "\"task\":" + task("task-2", "cancelled", "") + "}"));
        Cancellation cancelled = client.cancelTask("task-2");
        assertThat(cancelled.cancelled()).isTrue();
        assertThat(cancelled.message()).isEqualTo("task task-2 was cancelled");
        assertThat(cancelled.task().status()).isEqualTo(TaskStatus.CANCELLED);
        assertThat(server.last().text()).isEqualTo("{}");

        assertThatThrownBy(() -> client.getTask("..")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("task id must be an id");
        server.on("GET", "/tasks/a%2Fb", c -> c.data(task("a/b", "running", "")));
        assertThat(client.getTask("a/b").taskId()).isEqualTo("a/b");
    }

    @Test
    void anUnknownTaskIsNotFoundAndABadOneInvalid() {
        server.on("GET", "/tasks/task-0", c -> c.json(404, "{\"success\":false,\"error\":\"task task-0 not found\",\"code\":\"not_found\"}"));
        assertThatThrownBy(() -> client.getTask("task-0")).isInstanceOfSatisfying(NotFoundException.class,
                e -> assertThat(e.code()).contains("not_found")).hasMessage("task task-0 not found");
        server.on("POST", "/tasks", c -> c.json(400, "{\"success\":false,\"error\":\"unknown template 'cobol'\",\"code\":\"invalid_request\"}"));
        assertThatThrownBy(() -> client.dispatchTask("1", TaskOptions.defaults().withTemplate("cobol")))
                .isInstanceOf(ValidationException.class).hasMessage("unknown template 'cobol'");
    }

    @Test
    void aTaskWithAnUnknownStatusIsMalformed() {
        server.on("GET", "/tasks/task-1", c -> c.data(task("task-1", "paused", "")));
        assertThatThrownBy(() -> client.getTask("task-1")).isInstanceOf(ServerException.class)
                .hasMessageContaining("GET /tasks/task-1 is malformed: unknown task status 'paused'");
    }

    @Test
    void waitSendsItsTimeoutAndReturnsATaskStillRunning() throws Exception {
        server.on("POST", "/tasks/task-1/wait", c -> c.data(task("task-1", "running", "so far")));
        TaskInfo t = client.waitForTask("task-1", Duration.ofMillis(200));
        assertThat(t.status()).isEqualTo(TaskStatus.RUNNING);
        assertThat(t.output()).isEqualTo("so far");
        assertThat(server.requests).hasSize(1);
        assertThat(json(server.last())).isEqualTo(JSON.readTree("{\"timeout\":0.2}"));
        assertThatThrownBy(() -> client.waitForTask("task-1", Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aWaitLongerThanTenMinutesIsSeveralRequests() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        server.on("POST", "/tasks/task-1/wait", c -> c.data(task("task-1", calls.incrementAndGet() < 3 ? "running" : "completed", "")));
        // The fake answers at once; the first two requests ask for the daemon's maximum of 600 s.
        TaskInfo t = client.waitForTask("task-1", Duration.ofHours(2));
        assertThat(t.status()).isEqualTo(TaskStatus.COMPLETED);
        assertThat(server.requests).hasSize(3);
        for (FakeServer.Request r : server.requests) {
            assertThat(json(r)).isEqualTo(JSON.readTree("{\"timeout\":600}"));
        }
    }

    @Test
    void executeTaskDispatchesAndWaitsUntilTheEnd() throws Exception {
        server.on("POST", "/tasks", c -> c.json(202, "{\"success\":true,\"data\":" + task("task-7", "running", "") + "}"));
        AtomicInteger waits = new AtomicInteger();
        server.on("POST", "/tasks/task-7/wait", c -> c.data(waits.incrementAndGet() < 2 ? task("task-7", "running", "")
                : task("task-7", "failed", "before\\n")));
        TaskResult r = client.executeTask("print('before'); 1 / 0");
        assertThat(r).isEqualTo(new TaskResult("task-7", TaskStatus.FAILED, "before\n",
                Optional.of("ZeroDivisionError: division by zero"), Optional.of(1)));
        assertThat(r.completed()).isFalse();
        assertThat(server.requests).extracting(FakeServer.Request::rawPath)
                .containsExactly("/tasks", "/tasks/task-7/wait", "/tasks/task-7/wait");
    }

    @Test
    void toolsAreSearchedWithTheQueryEncodedAndTheCacheCleared() throws Exception {
        String catalog = """
                {"tools_dir":"/srv/tools","libraries":[{"name":"finance","language":"python","description":"Money.",
                 "functions":[{"name":"average","signature":"average(xs)","description":"The mean."}]}]}""";
        server.on("GET", "/tools", c -> c.data(catalog));
        ToolCatalog all = client.searchTools();
        assertThat(server.last().rawQuery()).isNull();
        assertThat(all).isEqualTo(new ToolCatalog(Optional.of("/srv/tools"), List.of(new ToolLibrary("finance", "python",
                "Money.", List.of(new ToolFunction("average", "average(xs)", "The mean."))))));
        client.searchTools("stock average&x");
        assertThat(server.last().rawQuery()).isEqualTo("query=stock%20average%26x");

        server.on("GET", "/tools", c -> c.data("{\"tools_dir\":null,\"libraries\":[]}"));
        assertThat(client.searchTools(" ")).isEqualTo(new ToolCatalog(Optional.empty(), List.of()));

        server.on("DELETE", "/tools/cache", c -> c.data("{\"cleared\":true}"));
        client.clearToolCache();
        assertThat(server.last().method()).isEqualTo("DELETE");
    }

    @Test
    void optionsAreChecked() {
        assertThatThrownBy(() -> TaskOptions.defaults().withTemplate(" ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TaskOptions.defaults().withTimeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TaskOptions.defaults().withRequiredTool("")).isInstanceOf(IllegalArgumentException.class);
        assertThat(TaskStatus.fromId("timeout")).isEqualTo(TaskStatus.TIMEOUT);
        assertThat(TaskStatus.values()).filteredOn(TaskStatus::isFinal).hasSize(4);
        assertThatThrownBy(() -> TaskStatus.fromId("paused")).isInstanceOf(IllegalArgumentException.class);
    }

    // ---- TaskManager ---------------------------------------------------------------------

    /** A fake daemon whose tasks run until cancelled, or complete when waited for if {@code completeOnWait}. */
    private List<String> fakeTasks(boolean completeOnWait) {
        List<String> cancelled = new CopyOnWriteArrayList<>();
        AtomicInteger ids = new AtomicInteger();
        List<String> created = new CopyOnWriteArrayList<>();
        server.on("POST", "/tasks", c -> {
            String id = "task-" + ids.incrementAndGet();
            created.add(id);
            server.on("GET", "/tasks/" + id, g -> g.data(task(id, cancelled.contains(id) ? "cancelled" : "running", "")));
            server.on("POST", "/tasks/" + id + "/wait", w -> w.data(task(id, completeOnWait ? "completed"
                    : cancelled.contains(id) ? "cancelled" : "running", completeOnWait ? id : "")));
            server.on("POST", "/tasks/" + id + "/cancel", x -> {
                boolean now = !cancelled.contains(id) && !completeOnWait;
                if (now) {
                    cancelled.add(id);
                }
                x.data("{\"success\":" + now + ",\"message\":\"" + (now ? "cancelled" : "already ended") + "\",\"task\":"
                        + task(id, completeOnWait ? "completed" : "cancelled", "") + "}");
            });
            c.json(202, "{\"success\":true,\"data\":" + task(id, "running", "") + "}");
        });
        server.on("GET", "/tasks", c -> {
            List<String> all = new ArrayList<>(List.of(task("task-other", "completed", "")));
            created.forEach(id -> all.add(task(id, "running", "")));
            c.data("{\"tasks\":[" + String.join(",", all.reversed()) + "]}");
        });
        return cancelled;
    }

    @Test
    void aManagerDispatchesWithItsDefaultsAndListsOnlyItsTasks() throws Exception {
        fakeTasks(true);
        try (TaskManager manager = client.taskManager(TaskOptions.defaults().withTimeout(Duration.ofSeconds(30)))) {
            String a = manager.dispatchTask("print(1)");
            assertThat(json(server.last())).isEqualTo(JSON.readTree("{\"code\":\"print(1)\",\"timeout\":30,\"verbose\":false}"));
            String b = manager.dispatchTask("echo 2", TaskOptions.defaults().withTemplate("bash"));
            assertThat(json(server.last()).get("template").asText()).isEqualTo("bash");
            assertThat(manager.listTasks()).extracting(TaskInfo::taskId).containsExactly(b, a);
            assertThat(manager.waitForTask(a).output()).isEqualTo(a);
            assertThat(manager.waitForTask(b, Duration.ofSeconds(5)).completed()).isTrue();
            assertThat(manager.getTaskStatus(a).taskId()).isEqualTo(a);
        }
    }

    @Test
    void closeCancelsTheTasksStillRunningAndRefusesDispatches() {
        List<String> cancelled = fakeTasks(false);
        TaskManager manager = client.taskManager();
        String a = manager.dispatchTask("import time; time.sleep(60)");
        String b = manager.dispatchTask("import time; time.sleep(60)");
        assertThat(manager.cancelTask(a)).isTrue();
        manager.close();
        assertThat(manager.isShutdown()).isTrue();
        assertThat(cancelled).containsExactly(a, b);
        assertThatThrownBy(() -> manager.dispatchTask("1")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("shut down");
        manager.close(); // again: nothing is left running
        assertThat(cancelled).containsExactly(a, b);
    }

    @Test
    void shutdownWithWaitWaitsForEveryTask() {
        List<String> cancelled = fakeTasks(true);
        TaskManager manager = client.taskManager();
        String a = manager.dispatchTask("1");
        String b = manager.dispatchTask("2");
        manager.shutdown(true);
        assertThat(cancelled).isEmpty();
        assertThat(server.requests).extracting(FakeServer.Request::rawPath).contains("/tasks/" + a + "/wait", "/tasks/" + b + "/wait");
        assertThatThrownBy(() -> manager.dispatchTask("3")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void theAsyncClientHasTheSameCalls() {
        fakeTasks(true);
        try (AsyncAgentKernel async = server.asyncClient()) {
            TaskResult r = async.executeTask("print(1)", TaskOptions.defaults()).join();
            assertThat(r.status()).isEqualTo(TaskStatus.COMPLETED);
            assertThat(async.listTasks().join()).hasSize(2);
            Cancellation c = async.cancelTask("task-1").join();
            assertThat(c.cancelled()).as("it has ended").isFalse();
            assertThat(c.message()).isEqualTo("already ended");
        }
    }
}
