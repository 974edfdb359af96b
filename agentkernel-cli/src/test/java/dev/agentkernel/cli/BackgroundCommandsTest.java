package dev.agentkernel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The background-process commands ({@code exec -d}, {@code ps}, {@code logs}, {@code kill}) against a scripted
 * daemon: the requests they send, what they print, their usage errors and their help.
 */
class BackgroundCommandsTest {

    static final String RUNNING = """
            {"id":"bg-0123456789ab","sandbox":"box","command":["sleep","100"],"pid":42,"status":"running",\
            "exit_code":null,"started_at":"2026-11-22T09:30:00.123Z"}""";
    static final String KILLED = """
            {"id":"bg-ba9876543210","sandbox":"box","command":["sh","-c","sleep 1 & wait"],"pid":43,"status":"failed",\
            "exit_code":137,"signal":9,"started_at":"2026-11-22T09:30:01Z","ended_at":"2026-11-22T09:30:02Z",\
            "reason":"killed on request"}""";

    private FakeDaemon daemon;

    @BeforeEach
    void start() throws Exception {
        daemon = new FakeDaemon();
        daemon.data("POST", "/sandboxes/box/exec/detach", RUNNING);
        daemon.data("GET", "/sandboxes/box/exec/detached", "[" + RUNNING + "," + KILLED + "]");
        daemon.data("GET", "/sandboxes/box/exec/detached/bg-0123456789ab/logs",
                "{\"stdout\":\"kept out\\n\",\"stderr\":\"kept err\\n\",\"stdout_dropped\":1000}");
        daemon.data("DELETE", "/sandboxes/box/exec/detached/bg-0123456789ab",
                "\"Killed background process bg-0123456789ab (exit code 137)\"");
        daemon.on("DELETE", "/sandboxes/box/exec/detached/nope",
                r -> FakeDaemon.error(404, "no background process 'nope' in sandbox 'box'", "not_found"));
        daemon.on("GET", "/sandboxes/stopped/exec/detached",
                r -> FakeDaemon.error(409, "sandbox 'stopped' is stopped; start it first", "conflict"));
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

    @Test
    void execDetachStartsItInTheBackgroundAndPrintsItsId() {
        ClientCommandsTest.Result r = run("exec", "-d", "box", "-e", "K=V", "-w", "/tmp", "--sudo", "--", "sleep", "100");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).isEqualTo("bg-0123456789ab\n");
        assertThat(daemon.calls()).containsExactly("POST /sandboxes/box/exec/detach "
                + "{\"command\":[\"sleep\",\"100\"],\"env\":[\"K=V\"],\"workdir\":\"/tmp\",\"sudo\":true}");
    }

    @Test
    void psListsTheProcessesAsATableOrJson() {
        ClientCommandsTest.Result r = run("ps", "box");
        assertThat(r.code()).as(r.toString()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).startsWith("ID").contains("PID", "STATUS", "EXIT", "STARTED", "COMMAND");
        assertThat(lines.get(1)).startsWith("bg-0123456789ab").contains(" 42 ", "running", " - ").endsWith("sleep 100");
        assertThat(lines.get(2)).startsWith("bg-ba9876543210").contains("failed", " 137 ").endsWith("sh -c sleep 1 & wait");

        ClientCommandsTest.Result json = run("ps", "box", "--json");
        assertThat(json.code()).isZero();
        assertThat(json.out()).contains("\"id\" : \"bg-0123456789ab\"", "\"exit_code\" : null", "\"exit_code\" : 137",
                "\"signal\" : 9", "\"reason\" : \"killed on request\"");
    }

    @Test
    void logsPrintsEachStreamToItsOwnAndSaysWhatWasDropped() {
        ClientCommandsTest.Result r = run("logs", "box", "bg-0123456789ab");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).isEqualTo("kept out\n");
        assertThat(r.errLines()).containsExactly(
                "agentkernel: the first 1000 bytes of stdout were dropped (the daemon keeps the last part of each stream)",
                "kept err");
    }

    @Test
    void killPrintsTheDaemonsAnswerAndReportsEachFailure() {
        ClientCommandsTest.Result r = run("kill", "box", "bg-0123456789ab");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).isEqualTo("Killed background process bg-0123456789ab (exit code 137)\n");
        ClientCommandsTest.Result some = run("kill", "box", "nope", "bg-0123456789ab");
        assertThat(some.code()).as(some.toString()).isEqualTo(ExitCodes.NOT_FOUND);
        assertThat(some.out()).contains("Killed background process bg-0123456789ab");
        assertThat(some.err()).contains("no background process 'nope'");
    }

    @Test
    void errorsOfTheDaemonAreOneLineWithTheirExitCode() {
        assertError(run("ps", "stopped"), ExitCodes.CONFLICT, "sandbox 'stopped' is stopped; start it first");
        assertError(run("kill", "box", "nope"), ExitCodes.NOT_FOUND, "no background process 'nope' in sandbox 'box'");
    }

    @Test
    void usageErrorsComeBeforeAnyRequest() {
        assertError(run("exec", "-d", "--timeout", "5", "box", "sleep", "9"), 2, "--timeout does not apply to --detach: a "
                + "background process runs until it ends or is killed ('agentkernel kill box ID')");
        assertError(run("ps"), 2, "no sandbox name given: try 'agentkernel ps NAME'");
        assertError(run("logs", "box"), 2,
                "no process id given: try 'agentkernel logs box ID' (ids are listed by 'agentkernel ps box')");
        assertError(run("logs", "box", "a", "b"), 2, "unexpected argument 'b' after the process id 'a'");
        assertError(run("kill"), 2, "no sandbox name given: try 'agentkernel kill NAME ID'");
        assertError(run("kill", "box"), 2,
                "no process id given: try 'agentkernel kill box ID' (ids are listed by 'agentkernel ps box')");
        assertThat(daemon.calls()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"ps", "logs", "kill"})
    void everyCommandHasHelpThatSaysHowItFindsTheDaemon(String command) {
        ClientCommandsTest.Result r = ClientCommandsTest.run(command, "--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).startsWith("Usage: agentkernel " + command).contains("Options:").contains("  -h, --help")
                .contains("Examples:\n  ").contains("--url URL").contains("AGENTKERNEL_BASE_URL");
        assertThat(ClientCommandsTest.run("--help").out()).containsPattern("(?m)^  " + command + " +\\S");
        assertThat(ClientCommandsTest.run("exec", "--help").out()).contains("-d, --detach");
    }
}
