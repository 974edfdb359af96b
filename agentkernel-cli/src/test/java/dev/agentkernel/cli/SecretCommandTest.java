package dev.agentkernel.cli;

import static org.assertj.core.api.Assertions.assertThat;

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
 * {@code secret} against a fake daemon: the requests it sends (the value from stdin or a file,
 * never from the command line), what it prints (never a value), exit codes, and usage errors
 * before any request.
 */
class SecretCommandTest {

    private static final String SECRET = """
            {"name":"API_KEY","created_at":"2026-01-30T12:00:00Z","updated_at":"2026-01-31T08:30:00Z"}""";

    private FakeDaemon daemon;
    @TempDir
    Path dir;

    @BeforeEach
    void start() throws Exception {
        daemon = new FakeDaemon();
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

    /** {@code secret ARGS} with {@code input} on stdin (not a terminal). */
    private ClientCommandsTest.Result withStdin(String input, String... args) throws Exception {
        SecretCommand command = new SecretCommand(() -> new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)),
                () -> null);
        List<String> argv = new ArrayList<>(List.of("--url", daemon.url()));
        argv.addAll(List.of(args));
        CommandLine parsed = Main.parse(command, command.options(), argv.toArray(String[]::new));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code;
        try {
            code = command.run(parsed, new PrintWriter(out, true), new PrintWriter(err, true));
        } catch (dev.agentkernel.model.AgentKernelException e) {
            code = ExitCodes.of(e);
            err.write(e.getMessage());
        }
        return new ClientCommandsTest.Result(code, out.toString(), err.toString());
    }

    @Test
    void setReadsTheValueFromStdinOrAFileAndNeverPrintsIt() throws Exception {
        daemon.data("PUT", "/secrets/API_KEY", SECRET);

        ClientCommandsTest.Result piped = withStdin("sk-piped:1\n", "set", "API_KEY");
        assertThat(piped.code()).as(piped.toString()).isZero();
        assertThat(piped.out()).isEqualTo("agentkernel: set secret API_KEY\n");
        assertThat(daemon.calls().getLast()).isEqualTo("PUT /secrets/API_KEY {\"value\":\"sk-piped:1\"}");
        assertThat(piped.out() + piped.err()).doesNotContain("sk-piped");

        assertThat(withStdin("two\nlines\r\n", "set", "API_KEY").code()).isZero();
        assertThat(daemon.calls().getLast()).isEqualTo("PUT /secrets/API_KEY {\"value\":\"two\\nlines\"}");

        Path file = Files.writeString(dir.resolve("token"), "from-file\n");
        ClientCommandsTest.Result fromFile = run("secret", "set", "--value-file", file.toString(), "API_KEY");
        assertThat(fromFile.code()).as(fromFile.toString()).isZero();
        assertThat(daemon.calls().getLast()).isEqualTo("PUT /secrets/API_KEY {\"value\":\"from-file\"}");
    }

    @Test
    void aValueIsNeverTakenFromTheCommandLine() throws Exception {
        for (String[] args : List.of(new String[] {"set", "API_KEY", "sk-on-the-line"},
                new String[] {"set", "API_KEY=sk-on-the-line"})) {
            ClientCommandsTest.Result r = withStdin("x", args);
            assertThat(r.code()).as("%s: %s", List.of(args), r).isEqualTo(ExitCodes.USAGE);
        }
        ClientCommandsTest.Result r = run("secret", "set", "API_KEY=sk-on-the-line");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("never taken on the command line").doesNotContain("sk-on-the-line");
        assertThat(daemon.calls()).isEmpty();
    }

    @Test
    void anEmptyValueSendsNothing() throws Exception {
        assertThat(withStdin("\n", "set", "API_KEY").code()).isEqualTo(ExitCodes.USAGE);
        Path empty = Files.writeString(dir.resolve("empty"), "");
        ClientCommandsTest.Result r = run("secret", "set", "--value-file", empty.toString(), "API_KEY");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("no value on --value-file");
        assertThat(run("secret", "set", "--value-file", dir.resolve("missing").toString(), "API_KEY").err())
                .contains("does not exist");
        assertThat(daemon.calls()).isEmpty();
    }

    @Test
    void listAndRemove() {
        daemon.data("GET", "/secrets", "{\"secrets\":[" + SECRET + "]}");
        daemon.data("DELETE", "/secrets/API_KEY", "{\"name\":\"API_KEY\"}");

        ClientCommandsTest.Result listed = run("secret", "ls");
        assertThat(listed.code()).as(listed.toString()).isZero();
        assertThat(listed.out()).startsWith("NAME").contains("API_KEY").contains("CREATED").contains("UPDATED");
        assertThat(run("secret", "ls", "-q").out()).isEqualTo("API_KEY\n");

        ClientCommandsTest.Result removed = run("secret", "rm", "API_KEY");
        assertThat(removed.code()).as(removed.toString()).isZero();
        assertThat(removed.out()).isEqualTo("agentkernel: removed secret API_KEY\n");
        assertThat(daemon.calls().getLast()).isEqualTo("DELETE /secrets/API_KEY");
    }

    @Test
    void theDaemonsRefusalsAreExitCodes() {
        daemon.on("DELETE", "/secrets/NOPE", r -> FakeDaemon.error(404, "Secret 'NOPE' not found", "not_found"));
        ClientCommandsTest.Result missing = run("secret", "rm", "NOPE");
        assertThat(missing.code()).isEqualTo(ExitCodes.NOT_FOUND);
        assertThat(missing.err()).contains("Secret 'NOPE' not found");
    }

    @Test
    void usageErrorsSendNothing() {
        for (String[] args : List.of(new String[] {"secret"}, new String[] {"secret", "frob"},
                new String[] {"secret", "ls", "extra"}, new String[] {"secret", "ls", "--value-file", "x"},
                new String[] {"secret", "rm"}, new String[] {"secret", "rm", "-q", "A"})) {
            ClientCommandsTest.Result r = run(args);
            assertThat(r.code()).as("%s: %s", List.of(args), r).isNotZero();
            assertThat(r.err()).as("%s", List.of(args)).startsWith("agentkernel: error: ");
        }
        assertThat(daemon.calls()).isEmpty();
    }
}
