package dev.agentkernel.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentkernel.client.AgentKernel;
import dev.agentkernel.client.ValidationException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.jline.terminal.Terminal;
import org.jline.terminal.impl.DumbTerminal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The REPL's loop on a dumb terminal (typed lines in, the screen out) against a fake daemon:
 * blocks, the session's life, leaving.
 */
class ReplTest {

    private FakeDaemon daemon;
    private AgentKernel client;
    private final StringWriter err = new StringWriter();
    private String screen;

    @BeforeEach
    void start() throws Exception {
        daemon = new FakeDaemon();
        daemon.on("POST", "/execute", r -> FakeDaemon.ok(CodeCommandsTest.result(r.body(), "out\n", "", null, false)));
        daemon.data("DELETE", "/sessions/ses-1", "{\"session_id\":\"ses-1\",\"deleted\":true}");
        client = AgentKernel.builder().environment(Map.of()).baseUrl(daemon.url()).timeout(Duration.ofSeconds(5)).build();
    }

    @AfterEach
    void stop() {
        client.close();
        daemon.close();
    }

    /** Runs the REPL with {@code options} (as on the command line) over {@code typed}; returns its exit code. */
    private int repl(String typed, String... options) throws Exception {
        ReplCommand command = new ReplCommand();
        CommandLine args = Main.parse(command, command.options(), options);
        CodeSessionArgs session = CodeSessionArgs.parse(args);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (Terminal terminal = new DumbTerminal(new ByteArrayInputStream(typed.getBytes(StandardCharsets.UTF_8)), out)) {
            int code = ReplCommand.interact(client, session,
                    ReplInput.Language.of(session.options().template().orElse("python")), "test", terminal,
                    new PrintWriter(err, true));
            terminal.flush();
            screen = out.toString(StandardCharsets.UTF_8);
            return code;
        }
    }

    /** The codes sent, in order. */
    private List<String> codes() {
        List<String> codes = new ArrayList<>();
        for (FakeDaemon.Request r : daemon.requests) {
            if (r.path().equals("/execute")) {
                codes.add(r.body().replaceAll(".*\"code\":\"((?:[^\"\\\\]|\\\\.)*)\".*", "$1"));
            }
        }
        return codes;
    }

    @Test
    void snippetsRunInOneSessionWhichIsDeletedOnExit() throws Exception {
        assertThat(repl("x = 1\nx\nexit\n")).isZero();
        assertThat(daemon.calls()).containsExactly("POST /execute {\"code\":\"x = 1\"}",
                "POST /execute {\"code\":\"x\",\"session_id\":\"ses-1\"}", "DELETE /sessions/ses-1");
        assertThat(screen).contains("agentkernel repl: test; a blank line ends a block, Ctrl-D or exit leaves")
                .contains("py> ").contains("out\n");
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void aPythonBlockIsSentOnTheBlankLine() throws Exception {
        assertThat(repl("def f(n):\n    return n * 2\n\nf(21)\nxs = [1,\n2]\n:quit\n")).isZero();
        assertThat(codes()).containsExactly("def f(n):\\n    return n * 2", "f(21)", "xs = [1,\\n2]");
        assertThat(screen).contains("... ");
    }

    @Test
    void blankLinesAloneSendNothingAndTheEndOfInputLeaves() throws Exception {
        assertThat(repl("\n   \nprint(1)\n")).isZero();
        assertThat(codes()).containsExactly("print(1)");
        assertThat(daemon.calls()).last().isEqualTo("DELETE /sessions/ses-1");
    }

    @Test
    void leavingWithoutASnippetDeletesNothing() throws Exception {
        for (String quit : List.of("exit", "exit()", "quit()", ":quit", ":q", "  .exit  ")) {
            assertThat(repl(quit + "\nprint(1)\n")).isZero();
        }
        assertThat(daemon.requests).isEmpty();
    }

    @Test
    void keepLeavesTheSessionAndSaysItsId() throws Exception {
        assertThat(repl("x = 1\n", "--keep", "-t", "bash")).isZero();
        assertThat(daemon.calls()).containsExactly("POST /execute {\"code\":\"x = 1\",\"template\":\"bash\"}");
        assertThat(err.toString()).isEqualTo("session: ses-1\n");
        assertThat(screen).contains("sh> ");
    }

    @Test
    void aGivenSessionIsUsedAndKept() throws Exception {
        assertThat(repl("x\n", "-s", "ses-7")).isZero();
        assertThat(daemon.calls()).containsExactly("POST /execute {\"code\":\"x\",\"session_id\":\"ses-7\"}");
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void errorsAndLostStateAreShownAndTheReplGoesOn() throws Exception {
        daemon.on("POST", "/execute", r -> FakeDaemon.ok(CodeCommandsTest.result(r.body(), "partial", "",
                "{\"type\":\"InterpreterDied\",\"message\":\"exit 3\"}", true)));
        assertThat(repl("import os; os._exit(3)\nx\n")).isZero();
        assertThat(screen).contains("partial\n(the interpreter ended and was replaced: variables are lost, files are kept)\n"
                + "InterpreterDied: exit 3\n");
        assertThat(codes()).hasSize(2);
    }

    @Test
    void aRefusalAfterTheSessionExistsIsShownAndTheReplGoesOn() throws Exception {
        daemon.on("POST", "/execute", r -> r.body().contains("session_id")
                ? FakeDaemon.error(429, "too many sessions", "resource_limit")
                : FakeDaemon.ok(CodeCommandsTest.result(r.body(), "", "", null, false)));
        assertThat(repl("a = 1\nb = 2\nc = 3\n")).isZero();
        assertThat(screen).contains("error: too many sessions (delete a session with 'agentkernel sessions rm ID', "
                + "or try again later)");
        assertThat(codes()).hasSize(3);
    }

    @Test
    void aRemovedSessionEndsTheReplWith4() throws Exception {
        daemon.on("POST", "/execute", r -> r.body().contains("session_id")
                ? FakeDaemon.error(404, "session 'ses-1' not found", "session_not_found")
                : FakeDaemon.ok(CodeCommandsTest.result(r.body(), "", "", null, false)));
        assertThat(repl("a = 1\na\nb\n")).isEqualTo(ExitCodes.NOT_FOUND);
        assertThat(codes()).containsExactly("a = 1", "a");
        assertThat(err.toString()).startsWith("agentkernel: error: the session no longer exists");
        assertThat(daemon.calls()).noneMatch(c -> c.startsWith("DELETE"));
    }

    @Test
    void wrongOptionsFailAtTheFirstSnippet() {
        daemon.on("POST", "/execute", r -> FakeDaemon.error(400, "unknown template 'cobol'", "invalid_request"));
        assertThatThrownBy(() -> repl("1\n2\n", "-t", "cobol")).isInstanceOf(ValidationException.class)
                .hasMessage("unknown template 'cobol'");
        assertThat(codes()).containsExactly("1");
    }

    @Test
    void theReplCommandNeedsNoArgumentsAndAnExistingSession() throws Exception {
        try (FakeDaemon gone = new FakeDaemon()) {
            gone.on("GET", "/sessions/ses-0", r -> FakeDaemon.error(404, "session 'ses-0' not found", "session_not_found"));
            ClientCommandsTest.Result r = ClientCommandsTest.run("repl", "--url", gone.url(), "-s", "ses-0");
            assertThat(r.code()).isEqualTo(4);
            assertThat(r.errLines()).containsExactly("agentkernel: error: session 'ses-0' not found");
            r = ClientCommandsTest.run("repl", "--url", gone.url(), "print(1)");
            assertThat(r.code()).isEqualTo(2);
            assertThat(r.errLines()).containsExactly("agentkernel: error: unexpected argument 'print(1)': 'repl' takes "
                    + "options only");
        }
    }
}
