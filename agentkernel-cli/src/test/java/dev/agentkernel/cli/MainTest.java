package dev.agentkernel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI's answers to bad input. Every case here fails before a sandbox could be started:
 * no root, no network, no bubblewrap needed.
 */
class MainTest {

    /** A backend name no provider has: should a case wrongly get that far, it fails instead of starting a sandbox. */
    private static final String NO_BACKEND = "--backend=agentkernel-unit-test-no-such-backend";

    @TempDir
    Path tmp;

    private record Result(int code, String out, String err) {
        List<String> errLines() {
            return err.lines().toList();
        }
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

    /** Exit 2, nothing on stdout, no stack trace, and stderr exactly {@code agentkernel: error: <message>}. */
    private static void assertInvalidInput(Result r, String message) {
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertNoStackTrace(r);
        assertThat(r.errLines()).containsExactly("agentkernel: error: " + message);
    }

    /** Like {@link #assertInvalidInput} but a usage error: one error line plus one "try ... --help" line. */
    private static void assertUsageError(Result r, String message, String tryLine) {
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertNoStackTrace(r);
        assertThat(r.errLines()).containsExactly("agentkernel: error: " + message, tryLine);
    }

    private static void assertNoStackTrace(Result r) {
        assertThat(r.err()).doesNotContain("\tat ").doesNotContain("Exception").doesNotContain("internal error");
    }

    @Test
    void anUnknownProfileListsTheValidOnes() {
        assertInvalidInput(run("run", NO_BACKEND, "--profile", "paranoid", "--", "true"),
                "unknown profile 'paranoid': use one of permissive, moderate, restrictive");
    }

    @Test
    void profilesAreCaseInsensitiveSoOnlyTheNextErrorIsReported() {
        assertInvalidInput(run("run", NO_BACKEND, "--profile", "RESTRICTIVE", "--memory", "1", "--", "true"),
                "memory limit 1 MB is below the minimum of 16 MB a sandbox needs to start");
    }

    @Test
    void noCommand() {
        String message = "no command given: try 'agentkernel run -- python3 -c \"print(1)\"', or name an image whose "
                + "own command runs: 'agentkernel run --image IMAGE'";
        assertInvalidInput(run("run"), message);
        assertInvalidInput(run("run", "--profile", "moderate", "--"), message);
        assertInvalidInput(run("run", "--image", "host"), message);
    }

    @Test
    void anEnvironmentAssignmentWithoutEqualsSign() {
        assertInvalidInput(run("run", NO_BACKEND, "-e", "NOEQ", "--", "true"),
                "environment variable 'NOEQ' must be written NAME=VALUE");
    }

    @Test
    void anEnvironmentNameStartingWithADigit() {
        assertInvalidInput(run("run", NO_BACKEND, "--env", "1A=x", "--", "true"),
                "environment variable name '1A' is invalid: use letters, digits and '_', not starting with a digit");
    }

    @Test
    void anEnvironmentAssignmentWithoutName() {
        assertInvalidInput(run("run", NO_BACKEND, "-e", "A=ok", "-e", "=x", "--", "true"),
                "environment variable '=x' must be written NAME=VALUE");
    }

    @Test
    void aMissingConfigFile() {
        Path missing = tmp.resolve("nope.toml");
        assertInvalidInput(run("run", NO_BACKEND, "--config", missing.toString(), "--", "true"),
                "cannot read config file " + missing + ": no such file");
    }

    @Test
    void anInvalidTomlFile() throws Exception {
        Path bad = Files.writeString(tmp.resolve("agentkernel.toml"), "[resources\nmemory_mb = 12\n");

        Result r = run("run", NO_BACKEND, "--config", bad.toString(), "--", "true");

        assertThat(r.code()).isEqualTo(2);
        assertNoStackTrace(r);
        assertThat(r.errLines()).hasSize(1);
        assertThat(r.errLines().getFirst()).startsWith("agentkernel: error: invalid TOML in " + bad);
    }

    @Test
    void aConfigValueOutOfRange() throws Exception {
        Path config = Files.writeString(tmp.resolve("agentkernel.toml"), "[resources]\nmemory_mb = 1\n");

        Result r = run("run", NO_BACKEND, "--config", config.toString(), "--", "true");

        assertThat(r.code()).isEqualTo(2);
        assertNoStackTrace(r);
        assertThat(r.errLines()).singleElement().asString()
                .startsWith("agentkernel: error: ").contains(config.toString()).contains("memory_mb");
    }

    @Test
    void memoryBelowTheMinimum() {
        assertInvalidInput(run("run", NO_BACKEND, "--memory", "1", "--", "true"),
                "memory limit 1 MB is below the minimum of 16 MB a sandbox needs to start");
    }

    @Test
    void memoryThatIsNotAWholeNumber() {
        assertInvalidInput(run("run", NO_BACKEND, "--memory", "1.5G", "--", "true"),
                "--memory expects a whole number of MB, got '1.5G'");
    }

    @Test
    void zeroCpus() {
        assertInvalidInput(run("run", NO_BACKEND, "--cpus", "0", "--", "true"),
                "cpu limit 0.0 must be a positive number of cores, e.g. 0.5 or 2");
    }

    @Test
    void moreCpusThanTheHostHas() {
        int tooMany = Runtime.getRuntime().availableProcessors() + 1;
        assertInvalidInput(run("run", NO_BACKEND, "--cpus", Integer.toString(tooMany), "--", "true"),
                "cpu limit " + tooMany + " exceeds the " + (tooMany - 1) + " CPUs of this host");
    }

    @Test
    void cpusThatAreNotANumber() {
        assertInvalidInput(run("run", NO_BACKEND, "--cpus", "NaN", "--", "true"),
                "--cpus expects a number of cores, got 'NaN'");
    }

    @Test
    void zeroTimeout() {
        assertInvalidInput(run("run", NO_BACKEND, "--timeout", "0", "--", "true"),
                "--timeout must be a positive number of seconds, got 0.0");
    }

    @Test
    void aNegativeTimeout() {
        Result r = run("run", NO_BACKEND, "--timeout", "-5", "--", "true");

        assertThat(r.code()).isEqualTo(2);
        assertNoStackTrace(r);
        assertThat(r.errLines()).singleElement().asString().startsWith("agentkernel: error: ").contains("-5");
    }

    @Test
    void aTimeoutThatIsNotANumber() {
        assertInvalidInput(run("run", NO_BACKEND, "--timeout", "10s", "--", "true"),
                "--timeout expects a number of seconds, got '10s'");
    }

    @Test
    void aRelativeWorkdir() {
        assertInvalidInput(run("run", NO_BACKEND, "-w", "src", "--", "true"),
                "working directory 'src' must be an absolute path inside the sandbox, e.g. /workspace");
    }

    @Test
    void anUnknownBackendListsTheKnownOnes() {
        Result r = run("run", "--backend", "qemu", "--", "true");

        assertThat(r.code()).isEqualTo(2);
        assertNoStackTrace(r);
        // an image notice may come first (the module directory looks like a Java project)
        assertThat(r.errLines()).filteredOn(l -> l.startsWith("agentkernel: error:"))
                .containsExactly("agentkernel: error: unknown backend 'qemu': use one of bwrap, crun, runc, podman, gvisor, docker");
    }

    @Test
    void anUnknownSubcommand() {
        String all = String.join(", ", Main.subcommands().stream().map(Subcommand::name).toList());
        assertThat(all).startsWith("run, create, start, stop, remove, ").endsWith(", doctor, setup, completion")
                .contains(", pause, resume, ", ", extend, ", ", exec, ", ", ps, logs, kill, ", ", snapshot, fork, ", ", pull, ", ", image, volume, secret, ");
        assertUsageError(run("frobnicate"), "unknown command 'frobnicate'; commands: " + all, "try 'agentkernel --help'");
    }

    @Test
    void anUnknownOptionOfTheRoot() {
        Result r = run("--frobnicate");

        assertThat(r.code()).isEqualTo(2);
        assertNoStackTrace(r);
        assertThat(r.errLines()).hasSize(2);
        assertThat(r.errLines().get(0)).startsWith("agentkernel: error: ").contains("--frobnicate");
        assertThat(r.errLines().get(1)).isEqualTo("try 'agentkernel --help'");
    }

    @Test
    void anUnknownOptionOfRunBeforeTheCommand() {
        assertUsageError(run("run", NO_BACKEND, "--frobnicate", "true"),
                "unknown option '--frobnicate' (to run a program whose name starts with '-', put it after --)",
                "try 'agentkernel run --help'");
    }

    @Test
    void anUnknownOptionOfRunIsRejectedEvenWhenTheCommandFollowsDashDash() {
        assertUsageError(run("run", NO_BACKEND, "--frobnicate", "--", "true"),
                "unknown option '--frobnicate' (to run a program whose name starts with '-', put it after --)",
                "try 'agentkernel run --help'");
    }

    @Test
    void anOptionWithoutItsValue() {
        assertUsageError(run("run", "-e"), "option --env needs a value (K=V)", "try 'agentkernel run --help'");
        assertUsageError(run("run", "--profile"), "option --profile needs a value (PROFILE)",
                "try 'agentkernel run --help'");
    }

    @Test
    void anUnknownOptionOfDoctor() {
        Result r = run("doctor", "--frobnicate");

        assertThat(r.code()).isEqualTo(2);
        assertNoStackTrace(r);
        assertThat(r.errLines()).containsExactly("agentkernel: error: unknown option '--frobnicate'",
                "try 'agentkernel doctor --help'");
    }

    @Test
    void rootHelpListsTheCommandsAndTheExamples() {
        for (String[] args : List.of(new String[] {"--help"}, new String[] {"-h"}, new String[] {})) {
            Result r = run(args);

            assertThat(r.code()).isZero();
            assertThat(r.err()).isEmpty();
            assertThat(r.out()).startsWith("Usage: agentkernel COMMAND")
                    .contains("run ").contains("doctor").contains("--version")
                    .contains("Examples:")
                    .contains("agentkernel run python3 -c \"print('Hello from sandbox!')\"")
                    .contains("agentkernel run --profile restrictive --timeout 10 -- sh -c 'echo hi'")
                    .contains("agentkernel doctor");
        }
    }

    @Test
    void runHelpListsTheOptionsAndTheExamples() {
        Result r = run("run", "--help");

        assertThat(r.code()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).startsWith("Usage: agentkernel run [OPTIONS] [--] CMD [ARGS...]")
                .contains("--profile PROFILE").contains("--memory MB").contains("--cpus N").contains("--timeout SECONDS")
                .contains("-e, --env K=V").contains("-w, --workdir DIR").contains("--no-network").contains("-h, --help")
                .contains("Examples:")
                .contains("agentkernel run python3 -c \"print('Hello from sandbox!')\"")
                .contains("agentkernel run --no-network -e DEBUG=1 -w /tmp -- sh -c 'pwd; env'");
        assertThat(run("help", "run").out()).isEqualTo(r.out());
    }

    @Test
    void helpAfterOtherOptionsStillOnlyPrintsHelp() {
        Result r = run("run", "--memory", "1", "--help");

        assertThat(r.code()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).startsWith("Usage: agentkernel run");
    }

    @Test
    void versionPrintsOneLine() {
        for (String flag : List.of("--version", "-V")) {
            Result r = run(flag);

            assertThat(r.code()).isZero();
            assertThat(r.err()).isEmpty();
            assertThat(r.out().lines().toList()).singleElement().asString().matches("agentkernel \\S+");
        }
    }
}
