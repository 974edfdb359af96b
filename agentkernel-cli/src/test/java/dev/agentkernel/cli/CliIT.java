package dev.agentkernel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentkernel.cli.Launcher.Outcome;
import dev.agentkernel.testing.HostProcesses;
import dev.agentkernel.testing.SandboxHost;
import dev.agentkernel.testing.TestDirectories;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * End-to-end tests of the {@code agentkernel} command: the real launcher script, run as a
 * subprocess in a temporary working directory, as a user would.
 */
class CliIT {

    static Path dir;
    static Launcher cli;

    @TempDir
    Path cwd;

    @BeforeAll
    static void warmUp() throws IOException {
        SandboxHost.requireSandboxHost("CLI integration tests");
        SandboxHost.require(Files.isExecutable(Launcher.SCRIPT), "launcher not found at " + Launcher.SCRIPT);
        dir = Files.createTempDirectory("ak-cli-it-");
        cli = new Launcher(dir);
        // The first call may build the project and train the class cache: give it time once.
        Outcome warm = cli.run(dir, null, Map.of(), Duration.ofMinutes(10), List.of("--version"));
        assertThat(warm.exitCode()).as(warm.describe()).isZero();
        assertThat(warm.stdout()).startsWith("agentkernel ");
    }

    @AfterAll
    static void cleanUp() throws IOException {
        if (dir != null) {
            TestDirectories.delete(dir);
        }
    }

    private Outcome run(String... args) {
        Outcome o = cli.run(cwd, args);
        cli.assertNothingLeftBehind(o);
        return o;
    }

    private Outcome run(byte[] stdin, Map<String, String> env, String... args) {
        Outcome o = cli.run(cwd, stdin, env, Launcher.DEFAULT_LIMIT, List.of(args));
        cli.assertNothingLeftBehind(o);
        return o;
    }

    // ---- running commands ----------------------------------------------------------------

    @Test
    void helloFromSandbox() {
        Outcome o = run("run", "python3", "-c", "print('Hello from sandbox!')");
        assertThat(o.exitCode()).as(o.describe()).isZero();
        assertThat(o.stdout()).isEqualTo("Hello from sandbox!\n");
        assertThat(o.stderr()).doesNotContain("Exception").doesNotContain("error");
    }

    /** Commands run as the sandbox's user (uid 1000, no capability) unless {@code --sudo}. */
    @Test
    void runIsTheSandboxsUserUnlessSudo() {
        Outcome user = run("run", "--", "sh", "-c", "id -u; grep CapBnd /proc/self/status");
        assertThat(user.stdout()).as(user.describe()).isEqualTo("1000\nCapBnd:\t0000000000000000\n");
        Outcome root = run("run", "--sudo", "--", "id", "-u");
        assertThat(root.stdout()).as(root.describe()).isEqualTo("0\n");
    }

    /** Issue 12, finding 1: {@code run} could rewrite the host's kernel settings (and core_pattern). */
    @Test
    void runCannotChangeTheHostsKernelSettings() throws java.io.IOException {
        Path setting = Path.of("/proc/sys/kernel/printk_ratelimit");
        String before = java.nio.file.Files.readString(setting).trim();
        try {
            for (String profile : List.of("permissive", "moderate", "restrictive")) {
                // as root of the sandbox: the strongest a command can be
                Outcome o = run("run", "--sudo", "--profile", profile, "--", "sh", "-c", "echo " + (Integer.parseInt(before) + 3)
                        + " > /proc/sys/kernel/printk_ratelimit && echo WROTE;"
                        + " cat /proc/sys/kernel/core_pattern > /proc/sys/kernel/core_pattern && echo CORE");
                assertThat(o.stdout()).as(o.describe()).doesNotContain("WROTE").doesNotContain("CORE");
                assertThat(java.nio.file.Files.readString(setting).trim()).as(profile).isEqualTo(before);
            }
        } finally {
            if (!java.nio.file.Files.readString(setting).trim().equals(before)) {
                java.nio.file.Files.writeString(setting, before);
            }
        }
    }

    @Test
    void exitCodeOfTheCommandBecomesTheExitCode() {
        Outcome o = run("run", "--", "sh", "-c", "exit 3");
        assertThat(o.exitCode()).as(o.describe()).isEqualTo(3);
    }

    @Test
    void timeoutExits124WithOneLine() {
        Outcome o = run("run", "--timeout", "1", "--", "sleep", "30");
        assertThat(o.exitCode()).as(o.describe()).isEqualTo(124);
        assertThat(o.stderrLines()).as(o.describe()).hasSize(1);
        assertThat(o.stderr()).contains("timed out");
        assertThat(o.elapsed()).isLessThan(Duration.ofSeconds(15));
    }

    @Test
    void outOfMemoryExits137() {
        Outcome o = run("run", "--memory", "64", "--", "python3", "-c", "x = b'1' * (300 * 1024 * 1024)");
        assertThat(o.exitCode()).as(o.describe()).isEqualTo(137);
        assertThat(o.stderr()).as(o.describe()).contains("out of memory");
    }

    @Test
    void stdinIsPiped() {
        Outcome o = run("hello\n".getBytes(StandardCharsets.UTF_8), Map.of(), "run", "--", "cat");
        assertThat(o.exitCode()).as(o.describe()).isZero();
        assertThat(o.stdout()).isEqualTo("hello\n");
    }

    @Test
    void largeOutputArrivesComplete() {
        Outcome o = run("run", "--no-network", "--", "head", "-c", "10000000", "/dev/zero");
        assertThat(o.exitCode()).as(o.describe()).isZero();
        assertThat(o.stdoutBytes()).hasSize(10_000_000);
    }

    @Test
    void argumentsArriveUnchangedEvenWithoutAUtf8Locale() {
        List<String> args = List.of("with space", "\"quoted\" 'single'", "$HOME", "`id`", "line1\nline2", "",
                "é", "✓", "日本", "--", "-e");
        List<String> argv = new ArrayList<>(List.of("run", "--", "python3", "-c",
                "import sys\nfor a in sys.argv[1:]:\n    print('ARG:' + a.encode('utf-8', 'surrogateescape').hex())"));
        argv.addAll(args);
        Map<String, String> env = new LinkedHashMap<>();
        env.put("LANG", null);
        env.put("LC_ALL", null);
        env.put("LC_CTYPE", null);
        Outcome o = run(null, env, argv.toArray(String[]::new));
        assertThat(o.exitCode()).as(o.describe()).isZero();
        List<String> received = o.stdout().lines().filter(l -> l.startsWith("ARG:"))
                .map(l -> new String(HexFormat.of().parseHex(l.substring(4)), StandardCharsets.UTF_8)).toList();
        assertThat(received).as(o.describe()).isEqualTo(args);
    }

    @Test
    void environmentOptionIsVisibleAndTheHostEnvironmentIsNot() {
        Outcome o = run(null, Map.of("AK_CLI_IT_CANARY", "host-canary-31337"),
                "run", "-e", "GREETING=hi there", "-e", "EMPTY=", "--", "env");
        assertThat(o.exitCode()).as(o.describe()).isZero();
        List<String> lines = o.stdout().lines().toList();
        assertThat(lines).as(o.describe()).contains("GREETING=hi there", "EMPTY=")
                .noneMatch(l -> l.contains("host-canary-31337"));
        assertThat(lines.stream().map(l -> l.substring(0, l.indexOf('='))).toList())
                .containsExactlyInAnyOrder("PATH", "HOME", "LANG", "PWD", "GREETING", "EMPTY");
    }

    @Test
    void noNetworkLeavesOnlyLoopback() {
        Outcome o = run("run", "--no-network", "--", "cat", "/proc/net/dev");
        assertThat(o.exitCode()).as(o.describe()).isZero();
        assertThat(o.stdout().lines().filter(l -> l.contains(":") && !l.contains("|"))
                .map(l -> l.substring(0, l.indexOf(':')).strip()).toList()).containsExactly("lo");
    }

    // ---- detection notice ----------------------------------------------------------------

    @Test
    void projectFileDetectionIsAnnounced() throws IOException {
        Files.writeString(cwd.resolve("package.json"), "{}\n");
        // `true` names no language, so the project file decides (detection is on without a
        // configured default image); no public registry answers here, so the error names it
        Outcome o = run(null, Map.of("AGENTKERNEL_DEFAULT_IMAGE", ""), "run", "--", "true");
        assertThat(o.exitCode()).as(o.describe()).isNotZero();
        assertThat(o.stderr()).as(o.describe()).contains("docker.io/library/node:22-alpine", "--image host");
    }

    @Test
    void anImageThatCannotBePulledIsAClearErrorNotAStandIn() {
        Outcome o = run("run", "--image", "ubuntu:24.04", "--", "sh", "-c", "echo ran");
        assertThat(o.exitCode()).as(o.describe()).isEqualTo(8);
        assertThat(o.stdout()).as(o.describe()).doesNotContain("ran");
        assertThat(o.stderr().lines().toList()).as(o.describe()).singleElement().asString()
                .startsWith("agentkernel: error: cannot pull docker.io/library/ubuntu:24.04: ")
                .contains("agentkernel pull docker.io/library/ubuntu:24.04", "agentkernel image import",
                        "mirror", "--image host")
                .doesNotContain("Exception");
    }

    @Test
    void doctorListsBwrapAsAvailableAndChecksEverythingForReal() {
        Outcome o = run("doctor", "--url", "http://127.0.0.1:9");
        assertThat(o.stdout().lines()).as(o.describe()).anyMatch(l -> l.matches("bwrap\\s+\\S+\\s+available.*"));
        for (String check : List.of("state directory", "image store", "default image", "isolation backend",
                "resource limits",
                "seccomp filter", "network helper", "egress control", "volume mounting")) {
            assertThat(o.stdout().lines()).as(o.describe()).anyMatch(l -> l.startsWith("✓ " + check));
        }
        assertThat(o.stdout().lines()).as(o.describe())
                .anyMatch(l -> l.matches("✓ image store +\\S+/images is writable; \\d+ images?, [0-9.]+ (B|kB|MB|GB) on disk"));
        assertThat(o.stdout()).as(o.describe()).contains("✗ daemon", "fix: start it: agentkernel daemon start",
                "2 of 11 checks failed");
        assertThat(o.exitCode()).as("a failed check fails doctor: %s", o.describe()).isEqualTo(1);
    }

    @Test
    void doctorSaysWhenTheDefaultImageCannotBePulled() {
        // no configured default: the built-in one, which no registry reachable from here has
        Outcome o = run(null, Map.of("AGENTKERNEL_DEFAULT_IMAGE", ""), "doctor", "--url", "http://127.0.0.1:9");
        assertThat(o.stdout().lines()).as(o.describe()).anyMatch(l -> l.matches(
                "✗ default image +alpine:3\\.20 is not stored and cannot be pulled: cannot pull docker\\.io/library/alpine:3\\.20.*"));
        assertThat(o.stdout()).as(o.describe()).contains("AGENTKERNEL_DEFAULT_IMAGE=host", "3 of 11 checks failed");
    }

    // ---- bad input -----------------------------------------------------------------------

    record BadInput(String name, String toml, List<String> args) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<BadInput> badInputs() {
        return Stream.of(
                new BadInput("unknown profile", null, List.of("run", "--profile", "bogus", "--", "true")),
                new BadInput("missing command", null, List.of("run")),
                new BadInput("missing command after --", null, List.of("run", "--")),
                new BadInput("env name starting with a digit", null, List.of("run", "-e", "1X=2", "--", "true")),
                new BadInput("env without =", null, List.of("run", "-e", "NOEQUALS", "--", "true")),
                new BadInput("unreadable config", null, List.of("run", "--config", "/nonexistent.toml", "--", "true")),
                new BadInput("invalid TOML", "[security\nprofile = \"x\n", List.of("run", "--", "true")),
                new BadInput("invalid profile in TOML", "[security]\nprofile = \"nonsense\"\n", List.of("run", "--", "true")),
                new BadInput("memory below minimum", null, List.of("run", "--memory", "1", "--", "true")),
                new BadInput("absurd memory limit", null, List.of("run", "--memory", "99999999999999", "--", "true")),
                new BadInput("memory limit that overflows to zero bytes", null,
                        List.of("run", "--memory", "17592186044416", "--", "true")),
                new BadInput("memory not a number", null, List.of("run", "--memory", "lots", "--", "true")),
                new BadInput("zero cpus", null, List.of("run", "--cpus", "0", "--", "true")),
                new BadInput("more cpus than the host", null, List.of("run", "--cpus", "999", "--", "true")),
                new BadInput("zero timeout", null, List.of("run", "--timeout", "0", "--", "true")),
                new BadInput("timeout not a number", null, List.of("run", "--timeout", "abc", "--", "true")),
                new BadInput("unknown option before the command", null, List.of("run", "--bogus", "--", "true")),
                new BadInput("unknown option without --", null, List.of("run", "--memroy", "64", "python3")),
                new BadInput("option without its value", null, List.of("run", "--memory")),
                new BadInput("relative workdir", null, List.of("run", "-w", "relative", "--", "true")),
                new BadInput("unknown backend", null, List.of("run", "--backend", "nope", "--", "true")),
                new BadInput("unknown subcommand", null, List.of("frobnicate")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badInputs")
    void badInputGivesOneLineAndNoStackTrace(BadInput input) throws IOException {
        if (input.toml() != null) {
            Files.writeString(cwd.resolve("agentkernel.toml"), input.toml());
        }
        Outcome o = run(input.args().toArray(String[]::new));
        assertOneLineError(o);
        assertThat(o.exitCode()).as(o.describe()).isEqualTo(2);
    }

    @Test
    void largestAcceptedMemoryLimitStillRuns() {
        // 16 TiB: the byte count written to the cgroup must not overflow
        Outcome o = run("run", "--no-network", "--memory", "16777216", "--", "true");
        assertThat(o.exitCode()).as(o.describe()).isZero();
    }

    @Test
    void workdirThatCannotBeCreatedIsReportedAsAnError() {
        Outcome o = run("run", "--no-network", "-w", "/usr/foo", "--", "true");
        assertOneLineError(o);
        assertThat(o.exitCode()).as(o.describe()).isIn(2, 125);
    }

    private static void assertOneLineError(Outcome o) {
        List<String> lines = o.stderrLines();
        assertThat(o.exitCode()).as(o.describe()).isNotZero();
        assertThat(lines).as(o.describe()).isNotEmpty();
        assertThat(lines.getFirst()).as(o.describe()).startsWith("agentkernel: error: ");
        if (lines.size() == 2) {
            assertThat(lines.get(1)).as("second line may only be the help hint\n" + o.describe()).startsWith("try '");
        } else {
            assertThat(lines).as(o.describe()).hasSize(1);
        }
        assertThat(o.stderr()).as(o.describe()).doesNotContain("Exception");
        assertThat(lines).as(o.describe()).noneMatch(l -> l.matches("\\s+at .*"));
        assertThat(o.stdout()).as(o.describe()).isEmpty();
    }

    // ---- the CLI dying -------------------------------------------------------------------

    @Test
    void sigtermToTheCliRemovesTheSandbox() throws Exception {
        String marker = "300." + ThreadLocalRandom.current().nextInt(100_000, 999_999);
        Process process = cli.builder(cwd, Map.of(), List.of("run", "--", "sleep", marker)).start();
        try {
            awaitSandboxed(marker);
            process.destroy(); // SIGTERM to the CLI's JVM (the launcher execs it)
            assertThat(process.waitFor(15, TimeUnit.SECONDS)).as("CLI ended after SIGTERM").isTrue();
            assertThat(HostProcesses.mentioning(marker)).as("sandbox processes left").isEmpty();
            assertThat(Launcher.cgroupsOf(process.pid())).as("cgroups left").isEmpty();
            assertThat(cli.runtimeEntries()).as("runtime entries left").isEmpty();
        } finally {
            process.destroyForcibly();
        }
    }

    @Test
    void sigkillToTheCliKillsTheSandboxAndTheNextRunReapsWhatIsLeft() throws Exception {
        String marker = "400." + ThreadLocalRandom.current().nextInt(100_000, 999_999);
        Process process = cli.builder(cwd, Map.of(), List.of("run", "--", "sleep", marker)).start();
        List<ProcessHandle> slirp;
        List<Path> veths;
        try {
            awaitSandboxed(marker);
            // the sandbox's network: a slirp4netns child, or (root with nft: the bridge) the host end
            // of its veth pair, named after the launcher (which stays as bubblewrap's parent)
            List<ProcessHandle> children = process.toHandle().children().toList();
            slirp = children.stream().filter(p -> p.info().command().orElse("").endsWith("slirp4netns")).toList();
            veths = children.stream().filter(p -> p.info().command().orElse("").contains("/ak-launch-"))
                    .map(p -> Path.of("/sys/class/net/akv" + p.pid()))
                    .filter(Files::exists).toList();
            assertThat(slirp.size() + veths.size()).as("the sandbox has network (slirp4netns or a veth pair)")
                    .isEqualTo(1);
            process.destroyForcibly(); // SIGKILL: no shutdown hook runs
            assertThat(process.waitFor(5, TimeUnit.SECONDS)).isTrue();
        } finally {
            process.destroyForcibly();
        }
        // slirp4netns notices its exit fd closing within about two seconds; a veth pair goes with
        // its network namespace
        long deadline = System.nanoTime() + 5_000_000_000L;
        while ((!HostProcesses.mentioning(marker).isEmpty() || slirp.stream().anyMatch(ProcessHandle::isAlive)
                || veths.stream().anyMatch(Files::exists)) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(HostProcesses.mentioning(marker)).as("sandbox processes after the CLI died").isEmpty();
        assertThat(slirp).as("slirp4netns after the CLI died").noneMatch(ProcessHandle::isAlive);
        assertThat(veths).as("veth pairs after the CLI died").noneMatch(Files::exists);
        Outcome next = run("run", "--", "true");
        assertThat(next.exitCode()).as(next.describe()).isZero();
        assertThat(Launcher.cgroupsOf(process.pid())).as("stale cgroups after the next run").isEmpty();
        assertThat(cli.runtimeEntries()).as("stale runtime entries after the next run").isEmpty();
    }

    private static void awaitSandboxed(String marker) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (HostProcesses.mentioning(marker).stream().noneMatch(l -> l.endsWith(": sleep " + marker))) {
            assertThat(System.nanoTime()).as("sandboxed sleep " + marker + " started").isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
