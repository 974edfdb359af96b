package dev.agentkernel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentkernel.client.AgentKernel;
import dev.agentkernel.client.SessionInfo;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code code}, {@code repl} and {@code sessions} against a real daemon in this JVM (and the
 * REPL once as the launcher jar with piped stdin). Needs the daemon's code-session routes
 * (docs/code-sessions.md). Every test leaves no session behind.
 */
class CodeSessionsIT {

    private static TestDaemon daemon;

    @BeforeAll
    static void startDaemon() throws IOException {
        TestDaemon.assumeSandboxHost();
        daemon = TestDaemon.start();
    }

    @AfterAll
    static void stopDaemon() throws IOException {
        if (daemon != null) {
            daemon.close();
        }
    }

    @AfterEach
    void noSessionLeftBehind() {
        try (AgentKernel client = daemon.client()) {
            List<SessionInfo> left = client.listSessions();
            left.forEach(s -> client.deleteSession(s.sessionId()));
            assertThat(left).as("code sessions left behind by the test").isEmpty();
        }
    }

    private static SandboxCommandsIT.Result cli(String... args) {
        List<String> argv = new ArrayList<>(List.of(args[0], "--url", daemon.url()));
        argv.addAll(List.of(args).subList(1, args.length));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(argv.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
        return new SandboxCommandsIT.Result(code, out.toString(), err.toString());
    }

    @Test
    void codeRunsASnippetInASessionItDeletes() {
        SandboxCommandsIT.Result r = cli("code", "x = 6 * 7\nprint(x)");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).isEqualTo("42\n");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void codeThatRaisesExits1WithTheTraceback() {
        SandboxCommandsIT.Result r = cli("code", "print('before')\n1 / 0");
        assertThat(r.code()).as(r.toString()).isEqualTo(1);
        assertThat(r.out()).isEqualTo("before\n");
        assertThat(r.err()).contains("ZeroDivisionError");
    }

    @Test
    void aKeptSessionIsUsedShownAndRemoved() {
        SandboxCommandsIT.Result kept = cli("code", "--keep", "-t", "bash", "cd /tmp && N=5");
        assertThat(kept.code()).as(kept.toString()).isZero();
        assertThat(kept.errLines()).singleElement().asString().startsWith("session: ");
        String id = kept.errLines().getFirst().substring("session: ".length());

        SandboxCommandsIT.Result again = cli("code", "-s", id, "pwd; echo $N");
        assertThat(again.out()).isEqualTo("/tmp\n5\n");
        assertThat(cli("sessions", "list", "--ids").out().lines().toList()).contains(id);
        assertThat(cli("sessions").out()).contains(id).contains("bash");
        assertThat(cli("sessions", "show", id).out()).contains("id:          " + id).contains("executions:  2");
        assertThat(cli("sessions", "stats").out()).contains("sessions:        1 of ");
        assertThat(cli("sessions", "pause").out()).startsWith("session maintenance paused");
        assertThat(cli("sessions", "stats").out()).contains("maintenance:     paused");
        assertThat(cli("sessions", "resume").out()).startsWith("session maintenance running");
        SandboxCommandsIT.Result rm = cli("sessions", "rm", id);
        assertThat(rm.code()).as(rm.toString()).isZero();
        SandboxCommandsIT.Result gone = cli("sessions", "show", id);
        assertThat(gone.code()).isEqualTo(4);
        assertThat(cli("code", "-s", id, "pwd").code()).isEqualTo(4);
    }

    @Test
    void theDaemonsRefusalsHaveExitCodes() {
        assertThat(cli("code", "-t", "cobol", "1").code()).isEqualTo(2);
        assertThat(cli("code", "--flavor", "gigantic", "1").code()).isEqualTo(2);
        assertThat(cli("code", "-s", "ses-0000000000000000", "1").code()).isEqualTo(4);
    }

    @Test
    void theReplAsTheLauncherJarReadsPipedLines() throws Exception {
        byte[] typed = "def f(n):\n    return n * 2\n\nprint(f(21))\nexit\n".getBytes(StandardCharsets.UTF_8);
        SandboxCommandsIT.Process p = SandboxCommandsIT.subprocess(Map.of(), typed, "repl", "--url", daemon.url());
        assertThat(p.code()).as(p.stderr()).isZero();
        assertThat(p.out()).contains("py> ").contains("42\n");
    }
}
