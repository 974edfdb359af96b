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
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code code} and {@code sessions} against a fake daemon: the requests they send, what they
 * print, their exit codes, and their usage errors before any request.
 */
class CodeCommandsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final String SESSION = """
            {"session_id":"ses-1","template":"python","flavor":"small","cpus":1,"memory_mb":1024,"state":"ready",
             "executions":3,"created_at":"2026-11-22T09:30:00Z","last_used_at":"2026-11-22T09:31:10Z",
             "age_seconds":70,"idle_seconds":2,"volumes":["/srv/data:/data:ro"]}""";

    @TempDir
    Path dir;

    private FakeDaemon daemon;

    @BeforeEach
    void start() throws Exception {
        daemon = new FakeDaemon();
        daemon.on("POST", "/execute", r -> FakeDaemon.ok(result(r.body(), "42\n", "", null, false)));
        daemon.data("DELETE", "/sessions/ses-1", "{\"session_id\":\"ses-1\",\"deleted\":true}");
    }

    @AfterEach
    void stop() {
        daemon.close();
    }

    /** A result for the request {@code body}: the session it names, else the new ses-1. */
    static String result(String body, String stdout, String stderr, String errorJson, boolean stateLost) {
        try {
            JsonNode request = JSON.readTree(body);
            boolean create = !request.hasNonNull("session_id");
            String id = create ? "ses-1" : request.get("session_id").asText();
            com.fasterxml.jackson.databind.node.ObjectNode node = JSON.createObjectNode().put("session_id", id)
                    .put("template", "python").put("flavor", "small").put("session_created", create)
                    .put("state_lost", stateLost).put("stdout", stdout).put("stderr", stderr)
                    .put("success", errorJson == null);
            node.set("error", errorJson == null ? null : JSON.readTree(errorJson));
            return node.put("execution_time_ms", 4).toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
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

    // ---- code -------------------------------------------------------------------------------

    @Test
    void codeRunsInANewSessionPrintsItsOutputAndDeletesIt() {
        daemon.on("POST", "/execute", r -> FakeDaemon.ok(result(r.body(), "42\n", "a warning\n", null, false)));
        ClientCommandsTest.Result r = run("code", "x = 6 * 7\nx");
        assertThat(r.code()).isZero();
        assertThat(r.out()).isEqualTo("42\n");
        assertThat(r.err()).isEqualTo("a warning\n");
        assertThat(daemon.calls()).containsExactly("POST /execute {\"code\":\"x = 6 * 7\\nx\"}", "DELETE /sessions/ses-1");
    }

    @Test
    void codeThatRaisesPrintsTheTracebackAndExits1() {
        daemon.on("POST", "/execute", r -> FakeDaemon.ok(result(r.body(), "before\n", "",
                "{\"type\":\"ZeroDivisionError\",\"message\":\"division by zero\","
                        + "\"traceback\":\"Traceback (most recent call last):\\nZeroDivisionError: division by zero\\n\"}",
                false)));
        ClientCommandsTest.Result r = run("code", "print('before'); 1/0");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).isEqualTo("before\n");
        assertThat(r.errLines()).containsExactly("Traceback (most recent call last):", "ZeroDivisionError: division by zero");
        assertThat(daemon.calls()).last().isEqualTo("DELETE /sessions/ses-1");
    }

    @Test
    void anErrorWithoutTracebackIsTypeAndMessageAndALostStateIsSaid() {
        daemon.on("POST", "/execute", r -> FakeDaemon.ok(result(r.body(), "", "",
                "{\"type\":\"InterpreterDied\",\"message\":\"the interpreter exited with 3\"}", true)));
        ClientCommandsTest.Result r = run("code", "import os; os._exit(3)");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.errLines()).containsExactly(
                "agentkernel: the interpreter ended and was replaced: the session's variables are lost, its files are kept",
                "InterpreterDied: the interpreter exited with 3");
    }

    @Test
    void keepLeavesTheSessionAndSaysItsId() {
        ClientCommandsTest.Result r = run("code", "--keep", "x = 1");
        assertThat(r.code()).isZero();
        assertThat(r.errLines()).containsExactly("session: ses-1");
        assertThat(daemon.calls()).containsExactly("POST /execute {\"code\":\"x = 1\"}");
    }

    @Test
    void anExistingSessionIsUsedAndKept() {
        ClientCommandsTest.Result r = run("code", "-s", "ses-9", "--timeout", "2.5", "x");
        assertThat(r.code()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(daemon.calls()).containsExactly("POST /execute {\"code\":\"x\",\"session_id\":\"ses-9\",\"timeout\":2.5}");
    }

    @Test
    void templateFlavorTimeoutAndVolumesGoToTheNewSession() throws Exception {
        Path data = Files.createDirectory(dir.resolve("data"));
        Path out = Files.createDirectory(dir.resolve("out"));
        ClientCommandsTest.Result r = run("code", "-t", "node", "--flavor", "medium", "--timeout", "120",
                "-v", data + ":/data:ro", "--volume", out + ":/out", "1 + 1");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(daemon.calls().getFirst()).isEqualTo("POST /execute {\"code\":\"1 + 1\",\"template\":\"node\","
                + "\"flavor\":\"medium\",\"timeout\":120,\"volumes\":[\"" + data + ":/data:ro\",\"" + out + ":/out\"]}");

        daemon.requests.clear();
        assertThat(run("code", "--backend", "gvisor", "1 + 1").code()).isZero();
        assertThat(daemon.calls().getFirst()).isEqualTo("POST /execute {\"code\":\"1 + 1\",\"backend\":\"gvisor\"}");
    }

    @Test
    void aRelativeVolumeIsMadeAbsolute() {
        ClientCommandsTest.Result r = run("code", "-v", ".:/work", "1");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(daemon.calls().getFirst()).contains("\"volumes\":[\"" + Path.of("").toAbsolutePath() + ":/work\"]");
    }

    @Test
    void theCodeComesFromAFileOrStdin() throws Exception {
        Path script = Files.writeString(dir.resolve("script.py"), "import sys\nprint(sys.argv)\n");
        assertThat(run("code", "-f", script.toString()).code()).isZero();
        assertThat(daemon.calls().getFirst()).isEqualTo("POST /execute {\"code\":\"import sys\\nprint(sys.argv)\\n\"}");

        for (List<String> args : List.of(List.of("-"), List.of("-f", "-"))) {
            daemon.requests.clear();
            CodeCommand command = new CodeCommand(() -> new ByteArrayInputStream("print('piped')\n".getBytes(StandardCharsets.UTF_8)));
            List<String> argv = new ArrayList<>(List.of("--url", daemon.url()));
            argv.addAll(args);
            CommandLine parsed = Main.parse(command, command.options(), argv.toArray(String[]::new));
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            assertThat(command.run(parsed, new PrintWriter(out, true), new PrintWriter(err, true))).isZero();
            assertThat(daemon.calls().getFirst()).isEqualTo("POST /execute {\"code\":\"print('piped')\\n\"}");
        }
    }

    @Test
    void jsonPrintsTheDaemonsResultAndStillExits1OnAnError() throws Exception {
        daemon.on("POST", "/execute", r -> FakeDaemon.ok(result(r.body(), "", "",
                "{\"type\":\"NameError\",\"message\":\"name 'y' is not defined\",\"traceback\":\"\"}", false)));
        ClientCommandsTest.Result r = run("code", "--json", "y");
        assertThat(r.code()).isEqualTo(1);
        JsonNode json = JSON.readTree(r.out());
        assertThat(json.get("session_id").asText()).isEqualTo("ses-1");
        assertThat(json.get("success").asBoolean()).isFalse();
        assertThat(json.get("error").get("type").asText()).isEqualTo("NameError");
        assertThat(json.get("execution_time_ms").asLong()).isEqualTo(4);
        assertThat(r.err()).isEmpty();
        assertThat(daemon.calls()).last().isEqualTo("DELETE /sessions/ses-1");
    }

    @Test
    void theDaemonsRefusalsHaveTheirExitCodes() {
        daemon.on("POST", "/execute", r -> FakeDaemon.error(404, "session 'ses-0' not found", "session_not_found"));
        assertError(run("code", "-s", "ses-0", "x"), 4, "session 'ses-0' not found");
        daemon.on("POST", "/execute", r -> FakeDaemon.error(409, "session ses-1 runs python, not node", "conflict"));
        assertError(run("code", "-s", "ses-1", "-t", "node", "x"), 5, "session ses-1 runs python, not node");
        daemon.on("POST", "/execute", r -> FakeDaemon.error(429, "too many sessions (10)", "resource_limit"));
        assertError(run("code", "x"), 6, "too many sessions (10)");
        daemon.on("POST", "/execute", r -> FakeDaemon.error(500, "python did not start", "code_execution_failed"));
        assertError(run("code", "x"), 125, "python did not start");
        daemon.on("POST", "/execute", r -> FakeDaemon.error(400, "unknown template 'cobol'", "invalid_request"));
        assertError(run("code", "-t", "cobol", "x"), 2, "unknown template 'cobol'");
        daemon.on("POST", "/execute", r -> FakeDaemon.error(403, "/etc is not under an allowed directory", "permission_denied"));
        assertError(run("code", "-v", "/etc:/data", "x"), 7, "/etc is not under an allowed directory");
    }

    @Test
    void aFailedDeletionIsReportedAfterTheOutput() {
        daemon.on("DELETE", "/sessions/ses-1", r -> FakeDaemon.error(503, "the daemon is shutting down", "shutting_down"));
        ClientCommandsTest.Result r = run("code", "x");
        assertThat(r.code()).isEqualTo(3);
        assertThat(r.out()).isEqualTo("42\n");
        assertThat(r.errLines()).containsExactly("agentkernel: error: the daemon is shutting down");
    }

    @Test
    void usageIsCheckedBeforeARequest() throws Exception {
        assertError(run("code"), 2, "no code given: try agentkernel code 'print(1 + 1)', -f script.py, or - to read stdin");
        assertError(run("code", "print(1)", "print(2)"), 2,
                "unexpected argument 'print(2)': give the code as one argument (quote it), e.g. agentkernel code 'print(1 + 1)'");
        assertError(run("code", "-f", "a.py", "x"), 2, "give the code as an argument or with -f FILE, not both");
        assertError(run("code", "  \n"), 2, "the code is empty");
        assertError(run("code", "-f", dir.resolve("missing.py").toString()), 4, "'" + dir.resolve("missing.py") + "' does not exist");
        assertError(run("code", "--timeout", "0", "x"), 2, "--timeout must be a positive number of seconds up to 3600, got 0");
        assertError(run("code", "--timeout", "3601", "x"), 2, "--timeout must be a positive number of seconds up to 3600, got 3601");
        assertError(run("code", "--timeout", "soon", "x"), 2, "--timeout expects a number of seconds, got 'soon'");
        assertError(run("code", "-v", "/data", "x"), 2, "--volume must be written HOST:DIR or HOST:DIR:ro, e.g. ./data:/data:ro; got '/data'");
        assertError(run("code", "-v", "/a:/b:rw", "x"), 2, "--volume must be written HOST:DIR or HOST:DIR:ro, e.g. ./data:/data:ro; got '/a:/b:rw'");
        assertError(run("code", "-v", dir + ":data", "x"), 2, "--volume " + dir + ":data: the path in the session must be absolute, e.g. /data");
        Path missing = dir.resolve("nope");
        assertError(run("code", "-v", missing + ":/data", "x"), 2, "--volume " + missing + ":/data: " + missing + " does not exist");
        assertError(run("code", "-s", "ses-1", "-v", dir + ":/data", "x"), 2,
                "--volume mounts a directory in a new session only; drop it, or drop --session to start a new session");
        assertError(run("code", "-s", "ses-1", "--backend", "runc", "x"), 2,
                "--backend chooses the backend of a new session only; drop it, or drop --session to start a new session");
        assertError(run("code", "--backend", "No Such", "x"), 2,
                "backend must be a backend's name such as bwrap, runc or gvisor; got 'No Such'");
        assertError(run("code", "-t", " ", "x"), 2, "--template needs a value: python, node or bash");
        assertThat(daemon.requests).isEmpty();
    }

    // ---- sessions ---------------------------------------------------------------------------

    @Test
    void sessionsListsATableJsonOrIds() throws Exception {
        daemon.data("GET", "/sessions", "{\"sessions\":[" + SESSION + ","
                + SESSION.replace("ses-1", "ses-2").replace("\"ready\"", "\"busy\"").replace("\"age_seconds\":70", "\"age_seconds\":3725") + "]}");
        ClientCommandsTest.Result table = run("sessions");
        assertThat(table.code()).isZero();
        assertThat(table.out().lines().toList()).containsExactly(
                "ID     TEMPLATE  FLAVOR  STATE  RUNS  AGE    IDLE",
                "ses-1  python    small   ready  3     1m10s  2s",
                "ses-2  python    small   busy   3     1h02m  2s");
        assertThat(run("sessions", "list", "--ids").out()).isEqualTo("ses-1\nses-2\n");
        JsonNode json = JSON.readTree(run("sessions", "list", "--json").out());
        assertThat(json).hasSize(2);
        assertThat(json.get(0)).isEqualTo(JSON.readTree(SESSION));
    }

    @Test
    void noSessionsSaysSoOnStderr() {
        daemon.data("GET", "/sessions", "{\"sessions\":[]}");
        ClientCommandsTest.Result r = run("sessions", "list");
        assertThat(r.code()).isZero();
        assertThat(r.out()).isEmpty();
        assertThat(r.errLines()).containsExactly(
                "agentkernel: no code sessions; start one with 'agentkernel repl' or 'agentkernel code --keep CODE'");
    }

    @Test
    void showAndRmOneSession() throws Exception {
        daemon.data("GET", "/sessions/ses-1", SESSION);
        ClientCommandsTest.Result show = run("sessions", "show", "ses-1");
        assertThat(show.code()).isZero();
        assertThat(show.out()).contains("id:          ses-1\n").contains("flavor:      small (1 CPU, 1024 MB)\n")
                .contains("executions:  3\n").contains("volumes:     /srv/data:/data:ro\n").contains("(idle 2s)");
        assertThat(JSON.readTree(run("sessions", "show", "ses-1", "--json").out())).isEqualTo(JSON.readTree(SESSION));

        ClientCommandsTest.Result rm = run("sessions", "rm", "ses-1");
        assertThat(rm.code()).isZero();
        assertThat(rm.errLines()).containsExactly("agentkernel: deleted session ses-1");
        assertThat(daemon.calls()).last().isEqualTo("DELETE /sessions/ses-1");

        daemon.on("DELETE", "/sessions/ses-0", r -> FakeDaemon.error(404, "session 'ses-0' not found", "session_not_found"));
        assertError(run("sessions", "rm", "ses-0"), 4, "session 'ses-0' not found");
        daemon.on("GET", "/sessions/ses-0", r -> FakeDaemon.error(404, "session 'ses-0' not found", "session_not_found"));
        assertError(run("sessions", "show", "ses-0"), 4, "session 'ses-0' not found");
    }

    @Test
    void statsAsTextAndJson() throws Exception {
        String stats = """
                {"active_sessions":2,"max_sessions":10,"memory_allocated_mb":2048,"max_total_memory_mb":8192,
                 "session_timeout_seconds":1800,"by_template":{"python":1,"node":1},
                 "pool":{"python":{"ready":1,"starting":0}},
                 "maintenance":{"paused":true,"interval_seconds":10,"runs":12,"last_run_at":"2026-11-22T09:31:00Z",
                                "expired_total":1,"evicted_total":2,"orphans_removed_total":3},
                 "sessions":[%s]}""".formatted(SESSION);
        daemon.data("GET", "/stats", stats);
        ClientCommandsTest.Result r = run("sessions", "stats");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("sessions:        2 of 10 (python 1, node 1)\n")
                .contains("memory:          2048 of 8192 MB\n").contains("session timeout: 30m00s idle\n")
                .contains("ready pool:      python 1 ready, 0 starting\n")
                .contains("maintenance:     paused, every 10s, 12 runs, last ")
                .contains("removed:         1 expired, 2 evicted, 3 orphaned sandboxes\n");
        assertThat(JSON.readTree(run("sessions", "stats", "--json").out())).isEqualTo(JSON.readTree(stats));
    }

    @Test
    void sessionsUsageErrors() {
        assertError(run("sessions", "drop"), 2, "unknown action 'drop': use list, show ID, rm ID, stats, pause or resume");
        assertError(run("sessions", "show"), 2, "no session id given: try 'agentkernel sessions show ID' (ids from 'agentkernel sessions')");
        assertError(run("sessions", "rm", "a", "b"), 2, "unexpected argument 'b' after 'rm a'");
        assertError(run("sessions", "stats", "x"), 2, "unexpected argument 'x' after 'stats'");
        assertError(run("sessions", "stats", "--ids"), 2, "--ids goes with 'list' alone: agentkernel sessions list --ids");
        assertThat(daemon.requests).isEmpty();
    }

    @Test
    void anOldDaemonWithoutTheRoutesIsANotFound() throws Exception {
        try (FakeDaemon old = new FakeDaemon()) {
            ClientCommandsTest.Result r = ClientCommandsTest.run("code", "--url", old.url(), "1");
            assertThat(r.code()).isEqualTo(4);
            assertThat(r.errLines()).containsExactly("agentkernel: error: the daemon at " + old.url() + " does not know "
                    + "this request (no route for POST /execute): it is older than this agentkernel; restart it with the "
                    + "same version ('agentkernel daemon stop', then 'agentkernel daemon start')");
        }
    }
}
