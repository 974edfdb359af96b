package dev.agentkernel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ConnectException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class McpCommandTest {

    static final DaemonEndpoint DAEMON = new DaemonEndpoint("http://127.0.0.1:18888", "default", Optional.empty());

    static String report(RuntimeException e, int expectedCode) {
        StringWriter text = new StringWriter();
        assertThat(ExitCodes.report(e, new PrintWriter(text, true))).isEqualTo(expectedCode);
        return text.toString();
    }

    @Test
    void aDaemonThatDoesNotAnswerIsExit69() {
        RuntimeException e = McpCommand.failure(DAEMON, new RuntimeException("init failed", new ConnectException("refused")));
        assertThat(report(e, ExitCodes.NO_DAEMON)).contains("no AgentKernel daemon answers at http://127.0.0.1:18888");
    }

    @Test
    void aDaemonWithoutMcpIsExit69SayingSo() {
        RuntimeException e = McpCommand.failure(DAEMON, new RuntimeException("Server Not Found. Status code:404"));
        assertThat(report(e, ExitCodes.NO_DAEMON)).contains("did not open an MCP session at /mcp")
                .contains("Status code:404");
    }

    @Test
    void itIsListedWithTheOtherCommandsAndCompleted() {
        assertThat(Main.subcommands()).extracting(Subcommand::name).contains("mcp");
        StringWriter out = new StringWriter();
        assertThat(Main.execute(new String[] {"mcp", "--help"}, new PrintWriter(out, true), new PrintWriter(new StringWriter())))
                .isZero();
        assertThat(out.toString()).contains("mcpServers").contains("--url URL");
        StringWriter bash = new StringWriter();
        Main.execute(new String[] {"completion", "bash"}, new PrintWriter(bash, true), new PrintWriter(new StringWriter()));
        assertThat(bash.toString()).contains("mcp");
    }

    @Test
    void itTakesNoArguments() {
        StringWriter err = new StringWriter();
        assertThat(Main.execute(new String[] {"mcp", "extra"}, new PrintWriter(new StringWriter()), new PrintWriter(err, true)))
                .isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("unexpected argument 'extra'");
    }
}
