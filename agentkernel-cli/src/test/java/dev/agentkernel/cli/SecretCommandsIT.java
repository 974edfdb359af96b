package dev.agentkernel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code secret set|ls|rm} against a real daemon: the value arrives (from stdin or a file) and is never printed. */
class SecretCommandsIT {

    private static TestDaemon daemon;
    @TempDir
    Path dir;

    @BeforeAll
    static void startDaemon() throws Exception {
        TestDaemon.assumeSandboxHost();
        daemon = TestDaemon.start();
    }

    @AfterAll
    static void stopDaemon() throws IOException {
        if (daemon != null) {
            daemon.close();
        }
    }

    record Result(int code, String out, String err) {
    }

    private static Result cli(String... args) {
        List<String> argv = new ArrayList<>(List.of(args[0], "--url", daemon.url()));
        argv.addAll(List.of(args).subList(1, args.length));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        PrintWriter o = new PrintWriter(out);
        PrintWriter e = new PrintWriter(err);
        int code = Main.execute(argv.toArray(String[]::new), o, e);
        o.flush();
        e.flush();
        return new Result(code, out.toString(), err.toString());
    }

    private static Result piped(String input, String name) throws Exception {
        SecretCommand command = new SecretCommand(() -> new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)),
                () -> null);
        CommandLine parsed = Main.parse(command, command.options(), new String[] {"--url", daemon.url(), "set", name});
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = command.run(parsed, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void setListAndRemove() throws Exception {
        String name = "CLI_SECRET_" + ProcessHandle.current().pid();
        String value = "cli-value-" + System.nanoTime();
        Result set = piped(value + "\n", name);
        assertThat(set.code()).as("%s", set).isZero();
        assertThat(set.out()).isEqualTo("agentkernel: set secret " + name + "\n");
        assertThat(daemon.daemon.secrets().value(name)).isEqualTo(value);

        Path file = Files.writeString(dir.resolve("v"), value + "-file\n");
        Result fromFile = cli("secret", "set", "--value-file", file.toString(), name);
        assertThat(fromFile.code()).as("%s", fromFile).isZero();
        assertThat(daemon.daemon.secrets().value(name)).isEqualTo(value + "-file");

        Result listed = cli("secret", "ls");
        assertThat(listed.code()).isZero();
        assertThat(listed.out().lines().toList()).anyMatch(l -> l.startsWith(name + " "));
        assertThat(cli("secret", "ls", "-q").out().lines()).contains(name);

        Result refused = cli("secret", "set", name, value);
        assertThat(refused.code()).isEqualTo(ExitCodes.USAGE);
        for (Result r : List.of(set, fromFile, listed, refused)) {
            assertThat(r.out() + r.err()).doesNotContain(value);
        }

        assertThat(cli("secret", "rm", name).out()).isEqualTo("agentkernel: removed secret " + name + "\n");
        Result gone = cli("secret", "rm", name);
        assertThat(gone.code()).isEqualTo(ExitCodes.NOT_FOUND);
        assertThat(gone.err()).contains("Secret '" + name + "' not found");
    }
}
