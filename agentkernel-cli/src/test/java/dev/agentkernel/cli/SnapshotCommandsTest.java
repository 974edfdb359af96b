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
 * The snapshot commands ({@code snapshot create|ls|inspect|rm|restore}, {@code fork}, {@code create --snapshot})
 * against a scripted daemon: the requests they send, what they print, their usage errors and their help.
 */
class SnapshotCommandsTest {

    static final String SNAP = """
            {"name":"before","sandbox":"box","image_tag":"agentkernel.local/snapshots:before@sha256:ab12",\
            "backend":"runc","base_image":"python:3.12-alpine","vcpus":1,"memory_mb":512,"size_bytes":2048,\
            "created_at":"2026-11-22T09:30:00Z"}""";
    static final String BOX = """
            {"name":"%s","status":"running","backend":"runc","image":"agentkernel.local/snapshots:before@sha256:ab12",\
            "vcpus":1,"memory_mb":512,"network":false}""";

    private FakeDaemon daemon;

    @BeforeEach
    void start() throws Exception {
        daemon = new FakeDaemon();
        daemon.on("POST", "/snapshots", r -> new FakeDaemon.Response(201, "{\"success\":true,\"data\":" + SNAP + "}"));
        daemon.data("GET", "/snapshots", "[" + SNAP + "]");
        daemon.data("GET", "/snapshots/before", SNAP);
        daemon.data("DELETE", "/snapshots/before", "\"Deleted snapshot 'before'\"");
        daemon.on("DELETE", "/snapshots/used",
                r -> FakeDaemon.error(409, "snapshot 'used' is in use by sandbox 'child'", "conflict"));
        daemon.on("GET", "/snapshots/none", r -> FakeDaemon.error(404, "no snapshot 'none'", "not_found"));
        daemon.data("POST", "/snapshots/before/restore", BOX.formatted("box"));
        daemon.on("POST", "/sandboxes/box/fork", r -> new FakeDaemon.Response(201, "{\"success\":true,\"data\":"
                + "{\"snapshot\":" + SNAP.replace("\"before\"", "\"box-fork-1\"") + ",\"sandboxes\":["
                + BOX.formatted("box-1") + "," + BOX.formatted("box-2") + "]}}"));
        daemon.data("POST", "/sandboxes", BOX.formatted("child"));
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
    void createTakesASnapshotWithOrWithoutAName() {
        ClientCommandsTest.Result r = run("snapshot", "create", "box", "--name", "before");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).isEqualTo("agentkernel: took snapshot before of sandbox box (2.0 kB)\n");
        run("snapshot", "create", "box");
        assertThat(daemon.calls()).containsExactly("POST /snapshots {\"sandbox\":\"box\",\"name\":\"before\"}",
                "POST /snapshots {\"sandbox\":\"box\"}");
    }

    @Test
    void lsPrintsATableJsonOrNames() {
        ClientCommandsTest.Result r = run("snapshot", "ls");
        assertThat(r.code()).as(r.toString()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).startsWith("NAME").contains("SANDBOX", "SIZE", "CREATED");
        assertThat(lines.get(1)).startsWith("before").contains(" box ", "2.0 kB", "2026-11-2");
        assertThat(run("snapshot", "ls", "--json").out()).contains("\"name\" : \"before\"", "\"size_bytes\" : 2048",
                "\"image_tag\" : \"agentkernel.local/snapshots:before@sha256:ab12\"");
        assertThat(run("snapshot", "ls", "--names").out()).isEqualTo("before\n");
    }

    @Test
    void inspectAndShowPrintOneSnapshot() {
        ClientCommandsTest.Result r = run("snapshot", "inspect", "before");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).contains("name:       before", "sandbox:    box",
                "image:      agentkernel.local/snapshots:before@sha256:ab12", "base image: python:3.12-alpine",
                "resources:  1 CPU, 512 MB");
        assertThat(run("snapshot", "show", "before", "--json").out()).contains("\"base_image\" : \"python:3.12-alpine\"");
        assertError(run("snapshot", "inspect", "none"), ExitCodes.NOT_FOUND, "no snapshot 'none'");
    }

    @Test
    void rmDeletesEachAndReportsEachFailure() {
        ClientCommandsTest.Result r = run("snapshot", "rm", "used", "before");
        assertThat(r.code()).as(r.toString()).isEqualTo(ExitCodes.CONFLICT);
        assertThat(r.out()).isEqualTo("agentkernel: deleted snapshot before\n");
        assertThat(r.err()).contains("snapshot 'used' is in use by sandbox 'child'");
    }

    @Test
    void restoreSendsTheSandboxToRestoreIntoWhenGiven() {
        ClientCommandsTest.Result r = run("snapshot", "restore", "before");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).startsWith("agentkernel: restored sandbox box to snapshot before (running");
        run("snapshot", "restore", "before", "--into", "other");
        assertThat(daemon.calls()).containsExactly("POST /snapshots/before/restore {}",
                "POST /snapshots/before/restore {\"sandbox\":\"other\"}");
    }

    @Test
    void forkPrintsTheNewSandboxesOneALine() {
        ClientCommandsTest.Result r = run("fork", "box", "-n", "2");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).isEqualTo("box-1\nbox-2\n");
        assertThat(r.err()).contains("from snapshot box-fork-1", "agentkernel snapshot rm box-fork-1");
        run("fork", "box", "--name", "a", "--name", "b");
        run("fork", "box");
        assertThat(daemon.calls()).containsExactly("POST /sandboxes/box/fork {\"count\":2}",
                "POST /sandboxes/box/fork {\"names\":[\"a\",\"b\"]}", "POST /sandboxes/box/fork {\"count\":1}");
    }

    @Test
    void createFromASnapshotSendsIt() {
        ClientCommandsTest.Result r = run("create", "child", "--snapshot", "before", "--memory", "1024");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(daemon.calls()).containsExactly(
                "POST /sandboxes {\"name\":\"child\",\"memory_mb\":1024,\"snapshot\":\"before\"}");
    }

    @Test
    void usageErrorsComeBeforeAnyRequest() {
        assertError(run("snapshot"), 2, "'snapshot' needs an action: create SANDBOX, ls, inspect NAME, rm NAME... or "
                + "restore NAME");
        assertError(run("snapshot", "frob"), 2, "unknown action 'frob' of 'snapshot': use create, ls, inspect, rm or "
                + "restore");
        assertError(run("snapshot", "create"), 2, "no sandbox name given: try 'agentkernel snapshot create SANDBOX'");
        assertError(run("snapshot", "inspect"), 2, "no snapshot name given: try 'agentkernel snapshot inspect NAME'");
        assertError(run("snapshot", "rm"), 2, "no snapshot name given: try 'agentkernel snapshot rm NAME'");
        assertError(run("snapshot", "ls", "x"), 2, "unexpected argument 'x': 'snapshot ls' takes options only");
        assertError(run("snapshot", "ls", "--into", "x"), 2, "--into goes with 'snapshot restore', not with 'ls'");
        assertError(run("snapshot", "restore", "a", "b"), 2, "unexpected argument 'b' after 'a'");
        assertError(run("fork"), 2, "no sandbox name given: try 'agentkernel fork NAME'");
        assertError(run("fork", "box", "-n", "2", "--name", "a"), 2, "give -n N or --name NAME..., not both");
        assertError(run("fork", "box", "-n", "0"), 2, "-n must be at least 1, e.g. 'agentkernel fork box -n 3'");
        assertError(run("create", "c", "--snapshot", "s", "--image", "alpine"), 2, "give --image or --snapshot, not "
                + "both: a sandbox made from a snapshot runs on the snapshot's image");
        assertThat(daemon.calls()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"snapshot", "fork"})
    void everyCommandHasHelpThatSaysHowItFindsTheDaemon(String command) {
        ClientCommandsTest.Result r = ClientCommandsTest.run(command, "--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).startsWith("Usage: agentkernel " + command).contains("Options:").contains("  -h, --help")
                .contains("Examples:\n  ").contains("--url URL").contains("AGENTKERNEL_BASE_URL");
        assertThat(ClientCommandsTest.run("--help").out()).containsPattern("(?m)^  " + command + " +\\S");
        assertThat(ClientCommandsTest.run("create", "--help").out()).contains("--snapshot SNAPSHOT");
    }

    @Test
    void completionOffersTheActionsAndSnapshotNames() {
        String bash = CompletionCommand.bash(Main.subcommands());
        assertThat(bash).contains("snapshot ls --names", "words_then_snapshot", "words=\"create ls inspect show rm restore\"");
        String zsh = CompletionCommand.zsh(Main.subcommands());
        assertThat(zsh).contains("_agentkernel_snapshot_arg", "--snapshot[", ":SNAPSHOT:_agentkernel_snapshots");
    }
}
