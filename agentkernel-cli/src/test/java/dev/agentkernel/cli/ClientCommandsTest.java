package dev.agentkernel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The commands that talk to a daemon, before and without one: their help, their usage errors
 * (checked before any request), and one line with exit code 69 when no daemon answers.
 */
class ClientCommandsTest {

    /** A loopback port nothing listens on. */
    private static String nowhere;

    @TempDir
    Path tmp;

    @BeforeAll
    static void freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            nowhere = "http://127.0.0.1:" + s.getLocalPort();
        }
    }

    record Result(int code, String out, String err) {
        List<String> errLines() {
            return err.lines().toList();
        }
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        PrintWriter o = new PrintWriter(out);
        PrintWriter e = new PrintWriter(err);
        int code = Main.execute(args, o, e);
        o.flush();
        e.flush();
        return new Result(code, out.toString(), err.toString());
    }

    private static void assertError(Result r, int code, String message) {
        assertThat(r.code()).as(r.toString()).isEqualTo(code);
        assertThat(r.out()).isEmpty();
        assertThat(r.errLines()).as(r.toString()).containsExactly("agentkernel: error: " + message);
    }

    @ParameterizedTest
    @ValueSource(strings = {"create", "start", "stop", "remove", "pause", "resume", "list", "exec", "attach", "cp", "code", "repl", "sessions",
            "task", "tools", "audit", "status", "agents", "completion", "secret"})
    void everyCommandHasHelpWithADescriptionAndExamples(String command) {
        Result r = run(command, "--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).startsWith("Usage: agentkernel " + command).contains("Options:")
                .contains("  -h, --help").contains("Examples:\n  ");
        assertThat(run("help", command).out()).isEqualTo(r.out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"create", "start", "stop", "remove", "pause", "resume", "list", "exec", "attach", "cp", "code", "repl", "sessions",
            "task", "tools", "audit", "status"})
    void theDaemonCommandsSayHowTheyFindIt(String command) {
        assertThat(run(command, "--help").out()).contains("--url URL").contains("AGENTKERNEL_BASE_URL")
                .contains("'agentkernel daemon").contains("http://localhost:18888");
    }

    @Test
    void theRootHelpListsTheCommands() {
        Result r = run("--help");
        for (String c : List.of("create", "start", "stop", "remove", "pause", "resume", "list", "exec", "attach", "cp", "code", "repl",
                "sessions", "audit", "status", "agents", "completion")) {
            assertThat(r.out()).containsPattern("(?m)^  " + c + " +\\S");
        }
        assertThat(r.out()).contains("exit with 69");
    }

    // ---- no daemon --------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"list", "status", "audit", "create box", "start box", "stop box", "remove box", "exec box ls",
            "cp box:/etc/hostname -", "audit -s box", "code print(1)", "code -s ses-1 x", "repl", "repl -s ses-1", "sessions",
            "sessions show ses-1", "sessions rm ses-1", "sessions stats"})
    void noDaemonIsOneLineAndExit69(String words) {
        List<String> split = List.of(words.split(" "));
        List<String> argv = new java.util.ArrayList<>(List.of(split.getFirst(), "--url", nowhere));
        argv.addAll(split.subList(1, split.size()));
        String[] args = argv.toArray(String[]::new);
        assertError(run(args), 69, "no AgentKernel daemon answers at " + nowhere
                + "; start one with 'agentkernel daemon start'");
    }

    @Test
    void aBadUrlIsAUsageError() {
        assertError(run("list", "--url", "ftp://x"), 2,
                "--url must be an http:// or https:// URL such as http://localhost:18888, got 'ftp://x'");
        assertError(run("list", "--url", "localhost:18888"), 2,
                "--url must be an http:// or https:// URL such as http://localhost:18888, got 'localhost:18888'");
    }

    // ---- usage, checked before a request ------------------------------------------------------

    @Test
    void aMissingNameIsAUsageError() {
        assertError(run("create", "--url", nowhere), 2, "no sandbox name given: try 'agentkernel create NAME'");
        assertError(run("start", "--url", nowhere), 2, "no sandbox name given: try 'agentkernel start NAME'");
        assertError(run("remove", "--url", nowhere), 2, "no sandbox name given: try 'agentkernel remove NAME'");
        assertError(run("exec", "--url", nowhere), 2, "no sandbox name given: try 'agentkernel exec NAME -- CMD'");
        assertError(run("attach", "--url", nowhere), 2, "no sandbox name given: try 'agentkernel attach NAME'");
        assertError(run("create", "a", "b", "--url", nowhere), 2, "unexpected argument 'b' after the sandbox name 'a'");
        assertError(run("list", "extra", "--url", nowhere), 2, "unexpected argument 'extra': 'list' takes options only");
    }

    @Test
    void execNeedsACommand() {
        assertError(run("exec", "box", "--url", nowhere), 2, "no command given: try 'agentkernel exec box -- ls -la'");
        assertError(run("exec", "box", "-e", "X=1", "--url", nowhere), 2,
                "no command given: try 'agentkernel exec box -- ls -la'");
    }

    @Test
    void execOptionsAreCheckedBeforeARequest() {
        assertError(run("exec", "box", "-e", "NOEQUALS", "--url", nowhere, "--", "ls"), 2,
                "environment variable 'NOEQUALS' must be written NAME=VALUE");
        assertError(run("exec", "box", "-w", "relative", "--url", nowhere, "ls"), 2,
                "--workdir must be an absolute path inside the sandbox, e.g. /workspace; got 'relative'");
        assertError(run("exec", "--timeout", "0", "box", "--url", nowhere, "ls"), 2,
                "--timeout must be a positive number of seconds up to 604800, got 0");
        Result unknown = run("exec", "box", "--url", nowhere, "--bogus", "ls");
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.errLines()).containsExactly(
                "agentkernel: error: unknown option '--bogus' (to run a program whose name starts with '-', put it after --)",
                "try 'agentkernel exec --help'");
    }

    @Test
    void createOptionsAreCheckedBeforeARequest() throws Exception {
        assertError(run("create", "box", "--profile", "paranoid", "--url", nowhere), 2,
                "unknown profile 'paranoid': use permissive, moderate or restrictive");
        assertError(run("create", "box", "--memory", "lots", "--url", nowhere), 2,
                "--memory expects a whole number of MB, got 'lots'");
        Path missing = tmp.resolve("no-such-dir");
        assertError(run("create", "box", "--dir", missing.toString(), "--url", nowhere), 2,
                "--dir " + missing + ": " + missing + " does not exist");
        Path file = Files.writeString(tmp.resolve("file.txt"), "x");
        assertError(run("create", "box", "--dir", file.toString(), "--url", nowhere), 2,
                "--dir " + file + ": " + file + " is not a directory");
    }

    @Test
    void cpPathsAreCheckedBeforeARequest() throws Exception {
        assertError(run("cp", "a", "b", "--url", nowhere), 2,
                "one of SRC and DST must be in a sandbox, written NAME:/path (e.g. my-project:/workspace/file.txt)");
        assertError(run("cp", "box:relative", "b", "--url", nowhere), 2,
                "the path in the sandbox must be absolute: 'box:relative' (e.g. box:/workspace/relative)");
        assertError(run("cp", "a:/x", "b:/y", "--url", nowhere), 2,
                "cp copies between this machine and a sandbox, not between two sandboxes: copy to a local file first");
        assertError(run("cp", "only", "--url", nowhere), 2,
                "cp needs a source and a destination: try 'agentkernel cp ./file NAME:/workspace/file'");
        assertError(run("cp", "box:/tmp/", ".", "--url", nowhere), 2, "'box:/tmp/' is a directory; cp copies files only");
        assertError(run("cp", tmp.toString(), "box:/tmp/x", "--url", nowhere), 2,
                "'" + tmp + "' is a directory; cp copies files only");
        assertError(run("cp", tmp.resolve("missing").toString(), "box:/tmp/x", "--url", nowhere), 4,
                "'" + tmp.resolve("missing") + "' does not exist");
    }

    @Test
    void auditLimitIsChecked() {
        assertError(run("audit", "--limit", "0", "--url", nowhere), 2, "--limit must be from 1 to 10000, got 0");
        assertError(run("audit", "--limit", "x", "--url", nowhere), 2, "--limit expects a whole number of events, got 'x'");
    }

    @Test
    void listFormatsExcludeEachOther() {
        assertError(run("list", "--json", "--names", "--url", nowhere), 2, "--json and --names exclude each other: give one");
    }

    @Test
    void attachWithoutATerminalSaysSoAndExits2() {
        // The test's stdin is not a terminal.
        assertError(run("attach", "box", "--url", nowhere), 2, "attach needs a terminal, and stdin or stdout is not one; "
                + "to run a command without one use 'agentkernel exec box -- CMD'");
    }

    @Test
    void completionNeedsAKnownShell() {
        assertError(run("completion"), 2, "no shell given: use 'agentkernel completion bash' or 'agentkernel completion zsh'");
        assertError(run("completion", "fish"), 2, "unknown shell 'fish': use bash or zsh");
    }
}
