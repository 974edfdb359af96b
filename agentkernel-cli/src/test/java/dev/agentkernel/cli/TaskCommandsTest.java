package dev.agentkernel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.commons.cli.CommandLine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code task} and {@code tools} against a fake daemon: the requests they send, what they print,
 * their exit codes (a task's status after a wait), and their usage errors before any request.
 */
class TaskCommandsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A task as the daemon sends it. */
    static String task(String id, String status, String output, String error) {
        boolean done = !status.equals("running");
        try {
            com.fasterxml.jackson.databind.node.ObjectNode t = JSON.createObjectNode().put("task_id", id).put("status", status)
                    .put("queued", false).put("output", output).put("error", error);
            if (done) {
                t.put("exit_code", status.equals("completed") ? 0 : 1);
            } else {
                t.putNull("exit_code");
            }
            t.put("attempts", 1).put("code", "print(1 / 0)").put("template", "python").put("timeout", 300.0).put("verbose", false);
            t.putArray("required_tools");
            t.put("created_at", "2026-11-22T09:30:00Z").put("started_at", "2026-11-22T09:30:01Z")
                    .put("finished_at", done ? "2026-11-22T09:30:03Z" : null);
            return JSON.writeValueAsString(t);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @TempDir
    Path dir;

    private FakeDaemon daemon;

    @BeforeEach
    void start() throws Exception {
        daemon = new FakeDaemon();
        daemon.on("POST", "/tasks", r -> new FakeDaemon.Response(202, "{\"success\":true,\"data\":"
                + task("task-1", "running", "", null) + "}"));
    }

    @AfterEach
    void stop() {
        daemon.close();
    }

    private ClientCommandsTest.Result run(String... args) {
        List<String> argv = new ArrayList<>(List.of(args));
        argv.add(1, "--url");
        argv.add(2, daemon.url());
        return ClientCommandsTest.run(argv.toArray(String[]::new));
    }

    private static void assertError(ClientCommandsTest.Result r, int code, String message) {
        assertThat(r.code()).as(r.toString()).isEqualTo(code);
        assertThat(r.errLines()).as(r.toString()).containsExactly("agentkernel: error: " + message);
    }

    // ---- dispatch ---------------------------------------------------------------------------

    @Test
    void dispatchSendsTheCodeAndOptionsAndPrintsTheId() {
        ClientCommandsTest.Result r = run("task", "dispatch", "print(1)");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).isEqualTo("task-1\n");
        assertThat(r.err()).isEmpty();
        assertThat(daemon.calls()).containsExactly("POST /tasks {\"code\":\"print(1)\",\"verbose\":false}");

        daemon.requests.clear();
        assertThat(run("task", "dispatch", "-t", "bash", "--timeout", "90.5", "--verbose", "--tool", "finance",
                "--tool", "stats", "ls").code()).isZero();
        assertThat(daemon.calls()).containsExactly("POST /tasks {\"code\":\"ls\",\"template\":\"bash\",\"timeout\":90.5,"
                + "\"verbose\":true,\"required_tools\":[\"finance\",\"stats\"]}");

        daemon.requests.clear();
        assertThat(run("task", "dispatch", "--backend", "runc", "ls").code()).isZero();
        assertThat(daemon.calls()).containsExactly("POST /tasks {\"code\":\"ls\",\"verbose\":false,\"backend\":\"runc\"}");
    }

    @Test
    void dispatchReadsAFileOrStdin() throws Exception {
        Path script = Files.writeString(dir.resolve("job.py"), "print('from a file')\n");
        assertThat(run("task", "dispatch", "-f", script.toString()).code()).isZero();
        assertThat(daemon.calls().getFirst()).isEqualTo("POST /tasks {\"code\":\"print('from a file')\\n\",\"verbose\":false}");
        for (List<String> args : List.of(List.of("dispatch", "-"), List.of("dispatch", "-f", "-"))) {
            daemon.requests.clear();
            TaskCommand command = new TaskCommand(() -> new ByteArrayInputStream("print('piped')\n".getBytes(StandardCharsets.UTF_8)));
            List<String> argv = new ArrayList<>(List.of("--url", daemon.url()));
            argv.addAll(args);
            CommandLine parsed = Main.parse(command, command.options(), argv.toArray(String[]::new));
            StringWriter out = new StringWriter();
            assertThat(command.run(parsed, new PrintWriter(out, true), new PrintWriter(new StringWriter(), true))).isZero();
            assertThat(out.toString()).isEqualTo("task-1\n");
            assertThat(daemon.calls().getFirst()).isEqualTo("POST /tasks {\"code\":\"print('piped')\\n\",\"verbose\":false}");
        }
    }

    @Test
    void dispatchWithWaitSaysTheIdAndReportsTheEnd() {
        AtomicInteger waits = new AtomicInteger();
        daemon.on("POST", "/tasks/task-1/wait", r -> FakeDaemon.ok(waits.incrementAndGet() < 2
                ? task("task-1", "running", "", null) : task("task-1", "completed", "42\n", null)));
        ClientCommandsTest.Result r = run("task", "dispatch", "--wait", "print(42)");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).isEqualTo("42\n");
        assertThat(r.errLines()).containsExactly("task: task-1");
        assertThat(daemon.calls()).containsExactly("POST /tasks {\"code\":\"print(42)\",\"verbose\":false}",
                "POST /tasks/task-1/wait {\"timeout\":600}", "POST /tasks/task-1/wait {\"timeout\":600}");
    }

    // ---- wait -------------------------------------------------------------------------------

    @Test
    void waitPrintsTheOutputAndTheErrorAndExitsWithTheStatus() {
        record Case(String status, String output, String error, int code) {
        }
        for (Case c : List.of(new Case("completed", "done\n", null, 0),
                new Case("failed", "before\n", "Traceback (most recent call last):\nZeroDivisionError: division by zero\n", 1),
                new Case("timeout", "", "the task ran longer than its timeout of 1 s and was killed", 124),
                new Case("cancelled", "partial\n", "cancelled", 130))) {
            daemon.on("POST", "/tasks/task-1/wait", r -> FakeDaemon.ok(task("task-1", c.status(), c.output(), c.error())));
            ClientCommandsTest.Result r = run("task", "wait", "task-1");
            assertThat(r.code()).as("%s: %s", c, r).isEqualTo(c.code());
            assertThat(r.out()).isEqualTo(c.output());
            assertThat(r.err()).isEqualTo(c.error() == null ? "" : c.error().stripTrailing() + "\n");
        }
        assertThat(daemon.calls()).allMatch(call -> call.equals("POST /tasks/task-1/wait {\"timeout\":600}"));
    }

    @Test
    void aTaskStillRunningWhenTheWaitEndsExits75() throws Exception {
        daemon.on("POST", "/tasks/task-1/wait", r -> FakeDaemon.ok(task("task-1", "running", "so far\n", null)));
        ClientCommandsTest.Result r = run("task", "wait", "task-1", "--timeout", "2.5");
        assertThat(r.code()).isEqualTo(75);
        assertThat(r.out()).isEmpty();
        assertThat(r.errLines()).containsExactly(
                "agentkernel: task task-1 is still running; wait again with 'agentkernel task wait task-1'");
        assertThat(daemon.calls()).containsExactly("POST /tasks/task-1/wait {\"timeout\":2.5}");

        ClientCommandsTest.Result json = run("task", "wait", "--json", "--timeout", "1", "task-1");
        assertThat(json.code()).isEqualTo(75);
        assertThat(JSON.readTree(json.out())).isEqualTo(JSON.readTree(task("task-1", "running", "so far\n", null)));
    }

    // ---- status, list, cancel ---------------------------------------------------------------

    @Test
    void statusShowsTheTaskAsTextOrJson() throws Exception {
        String failed = task("task-1", "failed", "before\n", "ZeroDivisionError: division by zero");
        daemon.data("GET", "/tasks/task-1", failed);
        ClientCommandsTest.Result r = run("task", "status", "task-1");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("id:         task-1\n").contains("status:     failed\n")
                .contains("template:   python, timeout 5m00s\n").contains("(ran 2s)").contains("exit code:  1\n")
                .endsWith("output:\n  before\nerror:\n  ZeroDivisionError: division by zero\n");
        JsonNode json = JSON.readTree(run("task", "status", "--json", "task-1").out());
        assertThat(json).isEqualTo(JSON.readTree(failed));
        assertThat(run("task", "status", "task-1").code()).as("status reports; it does not judge").isZero();
    }

    @Test
    void listIsATableIdsOrJson() throws Exception {
        String tasks = "{\"tasks\":[" + task("task-2", "running", "", null).replace("\"queued\":false", "\"queued\":true")
                .replace("\"started_at\":\"2026-11-22T09:30:01Z\"", "\"started_at\":null") + ","
                + task("task-1", "completed", "ok\n", null).replace("\"code\":\"print(1 / 0)\"", "\"code\":\"import csv\\nprint(1)\"")
                + "]}";
        daemon.data("GET", "/tasks", tasks);
        List<String> table = TaskCommand.table(dev.agentkernel.client.AgentKernel.builder().environment(java.util.Map.of())
                .baseUrl(daemon.url()).build().listTasks(), Instant.parse("2026-11-22T09:31:10Z"));
        assertThat(table).containsExactly(
                "ID      STATUS     AGE    TEMPLATE  CODE",
                "task-2  queued     1m10s  python    print(1 / 0)",
                "task-1  completed  1m10s  python    import csv ...");
        ClientCommandsTest.Result r = run("task", "list");
        assertThat(r.code()).isZero();
        assertThat(r.out()).startsWith("ID      STATUS     AGE");
        assertThat(run("task", "list", "--ids").out()).isEqualTo("task-2\ntask-1\n");
        assertThat(JSON.readTree(run("task", "list", "--json").out())).isEqualTo(JSON.readTree(tasks));

        daemon.data("GET", "/tasks", "{\"tasks\":[]}");
        ClientCommandsTest.Result none = run("task", "list");
        assertThat(none.out()).isEmpty();
        assertThat(none.errLines()).containsExactly("agentkernel: no tasks; dispatch one with 'agentkernel task dispatch CODE'");
    }

    @Test
    void cancelSaysWhatHappenedAndATaskAlreadyEndedIsAConflict() throws Exception {
        daemon.data("POST", "/tasks/task-1/cancel", "{\"success\":true,\"message\":\"task task-1 was cancelled; its "
                + "processes were killed\",\"task\":" + task("task-1", "cancelled", "", "cancelled") + "}");
        ClientCommandsTest.Result r = run("task", "cancel", "task-1");
        assertThat(r.code()).isZero();
        assertThat(r.errLines()).containsExactly("agentkernel: task task-1 was cancelled; its processes were killed");

        String ended = "{\"success\":false,\"message\":\"task task-1 already ended: completed\",\"task\":"
                + task("task-1", "completed", "", null) + "}";
        daemon.data("POST", "/tasks/task-1/cancel", ended);
        assertError(run("task", "cancel", "task-1"), 5, "task task-1 already ended: completed");
        ClientCommandsTest.Result json = run("task", "cancel", "task-1", "--json");
        assertThat(json.code()).isEqualTo(5);
        assertThat(JSON.readTree(json.out())).isEqualTo(JSON.readTree(ended));
    }

    @Test
    void anUnknownTaskExits4AndTheDaemonsRefusalsHaveTheirCodes() {
        daemon.on("GET", "/tasks/task-0", r -> FakeDaemon.error(404, "task task-0 not found", "not_found"));
        assertError(run("task", "status", "task-0"), 4, "task task-0 not found");
        daemon.on("POST", "/tasks", r -> FakeDaemon.error(400, "unknown template 'cobol'", "invalid_request"));
        assertError(run("task", "dispatch", "-t", "cobol", "1"), 2, "unknown template 'cobol'");
        daemon.on("POST", "/tasks", r -> FakeDaemon.error(429, "too many tasks queued (1000)", "resource_exhausted"));
        assertError(run("task", "dispatch", "1"), 6, "too many tasks queued (1000)");
    }

    @Test
    void usageIsCheckedBeforeARequest() {
        assertError(run("task"), 2, "no action given: use dispatch, status ID, wait ID, list or cancel ID, e.g. agentkernel task dispatch 'print(1)'");
        assertError(run("task", "run", "x"), 2, "unknown action 'run': use dispatch, status ID, wait ID, list or cancel ID");
        assertError(run("task", "dispatch"), 2, "no code given: try agentkernel task dispatch 'print(1 + 1)', -f script.py, or - to read stdin");
        assertError(run("task", "dispatch", "a", "b"), 2,
                "unexpected argument 'b': give the code as one argument (quote it), e.g. agentkernel task dispatch 'print(1 + 1)'");
        assertError(run("task", "dispatch", " "), 2, "the code is empty");
        assertError(run("task", "dispatch", "-f", "x.py", "1"), 2, "give the code as an argument or with -f FILE, not both");
        assertError(run("task", "dispatch", "--timeout", "0", "1"), 2, "--timeout must be a positive number of seconds, got 0");
        assertError(run("task", "dispatch", "--timeout", "soon", "1"), 2, "--timeout expects a number of seconds, got 'soon'");
        assertError(run("task", "dispatch", "--tool", " ", "1"), 2, "--tool needs a library's name, e.g. --tool finance (see 'agentkernel tools')");
        assertError(run("task", "wait"), 2, "no task id given: try 'agentkernel task wait ID' (ids from 'agentkernel task list')");
        assertError(run("task", "wait", "a", "b"), 2, "unexpected argument 'b' after 'wait a'");
        assertError(run("task", "wait", "a", "--timeout", "-1"), 2, "--timeout must be a positive number of seconds, got -1");
        assertError(run("task", "status", "a", "--verbose"), 2, "--verbose does not go with 'status' (see 'agentkernel task --help')");
        assertError(run("task", "list", "--wait"), 2, "--wait does not go with 'list' (see 'agentkernel task --help')");
        assertError(run("task", "list", "x"), 2, "unexpected argument 'x' after 'list'");
        assertError(run("task", "list", "--ids", "--json"), 2, "--ids and --json do not go together");
        assertThat(daemon.requests).isEmpty();
    }

    @Test
    void theExitCodesOfTheStatuses() {
        assertThat(ExitCodes.ofTask(dev.agentkernel.client.TaskStatus.COMPLETED)).isZero();
        assertThat(ExitCodes.ofTask(dev.agentkernel.client.TaskStatus.FAILED)).isEqualTo(1);
        assertThat(ExitCodes.ofTask(dev.agentkernel.client.TaskStatus.TIMEOUT)).isEqualTo(124);
        assertThat(ExitCodes.ofTask(dev.agentkernel.client.TaskStatus.CANCELLED)).isEqualTo(130);
        assertThat(ExitCodes.ofTask(dev.agentkernel.client.TaskStatus.RUNNING)).isEqualTo(75);
        assertThat(TaskCommand.firstLine("\n  import os\nprint(1)\n")).isEqualTo("import os ...");
        assertThat(TaskCommand.firstLine("x = '" + "a".repeat(60) + "'")).hasSize(48).endsWith("...");
        assertThat(TaskCommand.details(new dev.agentkernel.client.TaskInfo("t", dev.agentkernel.client.TaskStatus.RUNNING, true,
                "", java.util.Optional.empty(), java.util.Optional.empty(), 0, "", java.time.Duration.ofSeconds(30), true,
                List.of("finance"), java.util.Optional.empty(), java.util.Optional.empty(), java.util.Optional.empty(),
                java.util.Optional.empty()), Instant.now(), ZoneId.of("UTC")))
                .contains("status:     queued", "template:   -, timeout 30s, verbose", "tools:      finance", "started:    -");
    }

    // ---- tools ------------------------------------------------------------------------------

    @Test
    void toolsListsLibrariesAndTheirFunctions() throws Exception {
        String catalog = """
                {"tools_dir":"/srv/tools","libraries":[
                 {"name":"finance","language":"python","description":"Money helpers.","functions":[
                   {"name":"average","signature":"average(xs)","description":"The mean."},
                   {"name":"growth","signature":"growth(first, last)","description":""}]},
                 {"name":"geo","language":"javascript","description":"","functions":[]}]}""";
        daemon.data("GET", "/tools", catalog);
        ClientCommandsTest.Result r = run("tools");
        assertThat(r.code()).isZero();
        assertThat(r.out().lines().toList()).containsExactly(
                "finance  python  Money helpers.",
                "    average(xs)          The mean.",
                "    growth(first, last)",
                "geo  javascript");
        assertThat(run("tools", "--names").out()).isEqualTo("finance\ngeo\n");
        assertThat(JSON.readTree(run("tools", "--json").out())).isEqualTo(JSON.readTree(catalog));
        run("tools", "stock", "price");
        assertThat(daemon.requests.getLast().path()).isEqualTo("/tools");
    }

    @Test
    void toolsSaysWhenThereIsNoDirectoryOrNoMatchAndClearsTheCache() {
        daemon.data("GET", "/tools", "{\"tools_dir\":null,\"libraries\":[]}");
        ClientCommandsTest.Result none = run("tools");
        assertThat(none.code()).isZero();
        assertThat(none.errLines()).containsExactly("agentkernel: the daemon has no tools directory; start it with "
                + "'agentkernel serve --tools-dir DIR' (or AGENTKERNEL_TOOLS_DIR, or tools_dir in [execution] of agentkernel.toml)");
        daemon.data("GET", "/tools", "{\"tools_dir\":\"/srv/tools\",\"libraries\":[]}");
        assertThat(run("tools", "weather").errLines()).containsExactly("agentkernel: no tool library matches 'weather'");
        daemon.data("DELETE", "/tools/cache", "{\"cleared\":true}");
        ClientCommandsTest.Result cleared = run("tools", "--clear-cache");
        assertThat(cleared.code()).isZero();
        assertThat(cleared.errLines()).containsExactly("agentkernel: cleared the daemon's cache of tool libraries");
        assertThat(daemon.calls()).last().isEqualTo("DELETE /tools/cache");
        assertError(run("tools", "x", "--clear-cache"), 2, "--clear-cache goes alone: agentkernel tools --clear-cache");
    }
}
