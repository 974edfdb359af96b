package dev.agentkernel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code agentkernel daemon}'s answers to bad input and its help. Every case fails before a
 * file is touched or a process started.
 */
class DaemonCommandTest {

    /** Exit code, stdout and stderr of one invocation. */
    private record Result(int code, String out, String err) {
    }

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        PrintWriter o = new PrintWriter(out);
        PrintWriter e = new PrintWriter(err);
        int code = Main.execute(args, o, e);
        o.flush();
        e.flush();
        return new Result(code, out.toString(), err.toString());
    }

    private static void assertInvalid(Result r, String message) {
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err().lines().toList()).containsExactly("agentkernel: error: " + message);
    }

    @Test
    void aMissingAction() {
        assertInvalid(run("daemon"), "no action given: use 'agentkernel daemon start', 'stop' or 'status'");
    }

    @Test
    void anUnknownAction() {
        assertInvalid(run("daemon", "restart"), "unknown daemon action 'restart': use start, stop or status");
    }

    @Test
    void anExtraArgument() {
        assertInvalid(run("daemon", "stop", "now"), "unexpected argument 'now' after 'daemon stop'");
    }

    @Test
    void badPorts() {
        assertInvalid(run("daemon", "start", "--port", "http"), "--port expects a whole number of port, got 'http'");
        assertInvalid(run("daemon", "start", "--port", "65536"), "--port must be between 0 and 65535, got 65536");
        assertInvalid(run("daemon", "start", "--port=-1"), "--port must be between 0 and 65535, got -1");
    }

    @Test
    void badMaxSandboxes() {
        assertInvalid(run("daemon", "start", "--max-sandboxes", "0"), "--max-sandboxes must be between 1 and 4096, got 0");
        assertInvalid(run("daemon", "start", "--max-sandboxes", "many"),
                "--max-sandboxes expects a whole number of sandboxes, got 'many'");
    }

    @Test
    void aBlankHostOrBackend() {
        assertInvalid(run("daemon", "start", "--host", " "), "--host expects an address such as 127.0.0.1 or 0.0.0.0, got ' '");
        assertInvalid(run("daemon", "start", "--backend", ""),
                "--backend expects a backend name, e.g. bwrap (see 'agentkernel doctor')");
    }

    @Test
    void badStopTimeouts() {
        assertInvalid(run("daemon", "stop", "--timeout", "soon"), "--timeout expects a number of seconds, got 'soon'");
        assertInvalid(run("daemon", "stop", "--timeout", "0"), "--timeout must be a positive number of seconds up to 86400, got 0.0");
        assertInvalid(run("daemon", "stop", "--timeout", "-3"), "--timeout must be a positive number of seconds up to 86400, got -3.0");
    }

    @Test
    void anOptionOfAnotherAction() {
        assertInvalid(run("daemon", "status", "--port", "1"), "--port applies to 'daemon start', not 'daemon status'");
        assertInvalid(run("daemon", "start", "--json"), "--json applies to 'daemon status', not 'daemon start'");
        assertInvalid(run("daemon", "stop", "--backend", "bwrap"), "--backend applies to 'daemon start', not 'daemon stop'");
        assertInvalid(run("daemon", "--timeout", "5", "status"), "--timeout applies to 'daemon stop', not 'daemon status'");
    }

    @Test
    void anUnknownOptionIsAUsageError() {
        Result r = run("daemon", "start", "--frobnicate");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().lines().toList()).containsExactly("agentkernel: error: unknown option '--frobnicate'",
                "try 'agentkernel daemon --help'");
    }

    @Test
    void helpListsActionsOptionsAndExamples() {
        Result r = run("daemon", "--help");

        assertThat(r.code()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).startsWith("Usage: agentkernel daemon start|stop|status [OPTIONS]")
                .contains("  start ").contains("  stop ").contains("  status ")
                .contains("--host HOST").contains("--port PORT").contains("--max-sandboxes N").contains("--backend NAME")
                .contains("--timeout SECONDS").contains("--json")
                .contains("Examples:").contains("agentkernel daemon start --port 8080").contains("agentkernel daemon status --json");
        assertThat(run("help", "daemon").out()).isEqualTo(r.out());
        assertThat(run("daemon", "start", "--help").out()).isEqualTo(r.out());
    }

    @Test
    void theRootHelpListsDaemon() {
        assertThat(run("--help").out().lines().toList()).anyMatch(l -> l.startsWith("  daemon "));
        assertThat(List.of(run("frobnicate").err().split("\n"))).first().asString().contains("serve, daemon, doctor");
    }
}
