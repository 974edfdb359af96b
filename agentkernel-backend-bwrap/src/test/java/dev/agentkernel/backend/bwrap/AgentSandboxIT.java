package dev.agentkernel.backend.bwrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentkernel.agent.AgentBinary;
import dev.agentkernel.agent.OutputSink;
import dev.agentkernel.core.sandbox.AgentSandbox;
import dev.agentkernel.model.CommandSpec;
import dev.agentkernel.model.NotFoundException;
import dev.agentkernel.model.OutputStreamKind;
import dev.agentkernel.model.Profile;
import dev.agentkernel.model.ResourceLimits;
import dev.agentkernel.model.SandboxRequest;
import dev.agentkernel.model.SandboxSpec;
import dev.agentkernel.model.Termination;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link AgentSandbox} on the real bubblewrap backend: commands and files go through the agent. */
class AgentSandboxIT extends SandboxTestBase {

    static Path agent;

    @BeforeAll
    static void extractAgent() {
        agent = AgentBinary.extractTo(dir.resolve("agent"));
    }

    /** AgentSandbox logs the sandbox's stderr (ak-launch's, bubblewrap's, the agent's) here. */
    private static final Logger SANDBOX_STDERR = Logger.getLogger(AgentSandbox.class.getName());
    /** What each sanitizer's report contains (the sanitizer run builds ak-launch and the agent with ASan and UBSan). */
    private static final List<String> SANITIZER_MARKERS = List.of("ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
            "runtime error:");
    private final StringBuffer stderr = new StringBuffer();
    private final Handler stderrCapture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            stderr.append(record.getMessage()).append('\n');
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void captureSandboxStderr() {
        SANDBOX_STDERR.addHandler(stderrCapture);
    }

    /** A sanitizer report from ak-launch or the agent fails the test, even if the test itself passed. */
    @AfterEach
    void noSanitizerReports() {
        SANDBOX_STDERR.removeHandler(stderrCapture);
        String text = stderr.toString();
        assertThat(SANITIZER_MARKERS.stream().filter(text::contains).toList())
                .as("sanitizer report on a sandbox's stderr:\n" + text).isEmpty();
    }

    private static final class Out implements OutputSink {
        final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        final ByteArrayOutputStream stderr = new ByteArrayOutputStream();

        @Override
        public synchronized void accept(OutputStreamKind stream, byte[] b, int off, int len) {
            (stream == OutputStreamKind.STDOUT ? stdout : stderr).write(b, off, len);
        }

        String out() {
            return stdout.toString(StandardCharsets.UTF_8);
        }
    }

    private static CommandSpec cmd(String... argv) {
        return new CommandSpec(List.of(argv), Map.of(), Optional.empty(), Optional.of(Duration.ofSeconds(30)));
    }

    @Test
    void runsCommandsWithExitCodesEnvAndWorkdir() throws Exception {
        try (AgentSandbox box = AgentSandbox.launch(sandboxes.backend, sandboxes.offline(Profile.MODERATE))) {
            Out out = new Out();
            Termination t = box.run(cmd("sh", "-c", "echo hi; echo err >&2; exit 3"), out, () -> false, Duration.ofSeconds(1));
            assertThat(t).isEqualTo(new Termination.Exited(3));
            assertThat(out.out()).isEqualTo("hi\n");
            assertThat(out.stderr.toString(StandardCharsets.UTF_8)).isEqualTo("err\n");

            Out env = new Out();
            CommandSpec withEnv = new CommandSpec(List.of("sh", "-c", "echo $FOO; pwd"), Map.of("FOO", "bar"),
                    Optional.of("/tmp"), Optional.empty());
            assertThat(box.run(withEnv, env, () -> false, Duration.ofSeconds(1))).isEqualTo(new Termination.Exited(0));
            assertThat(env.out()).isEqualTo("bar\n/tmp\n");

            // State stays between commands of one sandbox.
            box.run(cmd("sh", "-c", "echo kept > /tmp/f"), new Out(), () -> false, Duration.ofSeconds(1));
            Out cat = new Out();
            box.run(cmd("cat", "/tmp/f"), cat, () -> false, Duration.ofSeconds(1));
            assertThat(cat.out()).isEqualTo("kept\n");
            assertThat(new String(box.agent().readFile("/tmp/f"), StandardCharsets.UTF_8)).isEqualTo("kept\n");

            assertThatThrownBy(() -> box.run(cmd("no-such-program"), new Out(), () -> false, Duration.ofSeconds(1)))
                    .isInstanceOf(NotFoundException.class);
            assertThat(box.isAlive()).isTrue();
        }
    }

    /**
     * The agent masks {@code /proc} itself as root (with CAP_SYS_ADMIN, which bubblewrap grants it
     * for that alone): afterwards no process of the sandbox, the agent included, holds that
     * capability in any set, a command that asks for root gets exactly the root set, and the masks
     * hold (read-only {@code /proc/sys}, empty {@code /proc/keys}).
     */
    @Test
    void nothingInTheSandboxKeepsTheCapabilityTheMasksNeeded() throws Exception {
        try (AgentSandbox box = AgentSandbox.launch(sandboxes.backend, sandboxes.offline(Profile.MODERATE))) {
            Out out = new Out();
            CommandSpec asRoot = new CommandSpec(List.of("sh", "-c", "for s in /proc/[0-9]*/status; do"
                    + " grep -h -E '^(Name|CapInh|CapPrm|CapEff|CapBnd|CapAmb):' $s | tr '\\n' ' '; echo; done;"
                    + " echo 1 > /proc/sys/kernel/ns_last_pid 2>/dev/null && echo wrote-sys; wc -c < /proc/keys"),
                    Map.of(), Optional.empty(), Optional.of(Duration.ofSeconds(30)), true);
            assertThat(box.run(asRoot, out, () -> false, Duration.ofSeconds(1))).isEqualTo(new Termination.Exited(0));
            List<String> processes = out.out().lines().filter(l -> l.startsWith("Name:")).toList();
            assertThat(processes).as(out.out()).anyMatch(l -> l.contains("ak-agent"));
            long sysAdmin = 1L << 21;
            long rootSet = 0;
            for (int bit : new int[] {0, 1, 3, 4, 5, 6, 7, 8, 10, 18, 31}) {    // BwrapCommandLine.ROOT_CAPABILITIES
                rootSet |= 1L << bit;
            }
            for (String process : processes) {
                // bubblewrap's own pid 1 (it only waits, never execs) holds no capability but keeps its bounding set
                List<String> sets = process.matches("Name:\\s+bwrap\\b.*") ? List.of("CapInh", "CapPrm", "CapEff", "CapAmb")
                        : List.of("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb");
                for (String set : sets) {
                    java.util.regex.Matcher m = java.util.regex.Pattern.compile(set + ":\\s+([0-9a-f]+)").matcher(process);
                    assertThat(m.find()).as(process).isTrue();
                    long caps = Long.parseUnsignedLong(m.group(1), 16);
                    assertThat(caps & sysAdmin).as("%s of %s", set, process).isZero();
                    assertThat(caps & ~rootSet).as("%s of %s: only the root set", set, process).isZero();
                }
            }
            assertThat(out.out()).doesNotContain("wrote-sys").endsWith("0\n");
        }
    }

    /**
     * Issue 12, finding 7: code in the sandbox wrote frames into the agent's own output
     * ({@code /proc/2/fd/1}) and made a later exec report a forged result. The agent is not
     * dumpable: its descriptors, memory and environment cannot be opened by the code it runs.
     */
    @Test
    void theCodeCannotReachTheAgentsDescriptorsOrMemory() throws Exception {
        try (AgentSandbox box = AgentSandbox.launch(sandboxes.backend, sandboxes.offline(Profile.MODERATE))) {
            Out out = new Out();
            String forged = "\\202\\000\\000\\000\\007\\000\\000\\000\\005FORGE";
            Termination t = box.run(cmd("sh", "-c", "a=$PPID;"
                    + " for f in fd/1 fd/0 mem environ; do"
                    + "   if printf '" + forged + "' > /proc/$a/$f 2>/dev/null; then echo \"wrote $f\"; else echo \"refused $f\"; fi;"
                    + " done; ls /proc/$a/fd >/dev/null 2>&1 && echo listed || echo unlisted;"
                    + " cat /proc/$a/environ >/dev/null 2>&1 && echo read-env || echo no-env"),
                    out, () -> false, Duration.ofSeconds(1));
            assertThat(t).as(out.out()).isEqualTo(new Termination.Exited(0));
            assertThat(out.out()).contains("refused fd/1", "refused fd/0", "refused mem", "refused environ", "no-env")
                    .doesNotContain("wrote", "FORGE");
            Out after = new Out();
            assertThat(box.run(cmd("echo", "still-honest"), after, () -> false, Duration.ofSeconds(1)))
                    .isEqualTo(new Termination.Exited(0));
            assertThat(after.out()).isEqualTo("still-honest\n");
        }
    }

    /**
     * Issue 12: the capability bounding set was left full (bubblewrap clears the effective and
     * permitted sets only), and commands ran as sandbox root. A command runs as the sandbox's user
     * and holds nothing, not even in its bounding set; the agent keeps only what it needs to switch
     * identities and signal what it started, and a bounding set no wider than rootless Podman's.
     */
    @Test
    void commandsRunAsTheSandboxUserWithNoCapabilityNotEvenInTheBoundingSet() throws Exception {
        try (AgentSandbox box = AgentSandbox.launch(sandboxes.backend, sandboxes.offline(Profile.MODERATE))) {
            Out out = new Out();
            Termination t = box.run(cmd("sh", "-c", "id -u; id -g; grep ^Cap /proc/self/status; grep ^Cap /proc/$PPID/status;"
                            + " grep -E '^(Uid|Gid)' /proc/$PPID/status | tr -s '\\t ' ' '"),
                    out, () -> false, Duration.ofSeconds(1));
            assertThat(t).as(out.out()).isEqualTo(new Termination.Exited(0));
            List<String> lines = out.out().lines().toList();
            assertThat(lines).as(out.out()).containsExactly("1000", "1000",
                    "CapInh:\t0000000000000000", "CapPrm:\t0000000000000000", "CapEff:\t0000000000000000",
                    "CapBnd:\t0000000000000000", "CapAmb:\t0000000000000000",
                    // the agent uses CAP_KILL, CAP_SETGID, CAP_SETUID, CAP_SETPCAP; ROOT_CAPABILITIES are the most
                    // it may pass on (permitted: the most a root command gets under no_new_privs)
                    "CapInh:\t0000000000000000", "CapPrm:\t00000000800405fb", "CapEff:\t00000000000001e0",
                    "CapBnd:\t00000000800405fb", "CapAmb:\t0000000000000000",
                    // the agent is root of the sandbox but touches files as the user
                    "Uid: 0 0 0 1000", "Gid: 0 0 0 1000");
        }
    }

    /** Issue 12: root inside only when the command asks (the published clients' {@code sudo}), and then only rootless Podman's capabilities. */
    @Test
    void aCommandThatAsksForRootIsRootOfTheSandboxWithTheRootSetOnly() throws Exception {
        try (AgentSandbox box = AgentSandbox.launch(sandboxes.backend, sandboxes.offline(Profile.MODERATE))) {
            Out out = new Out();
            Termination t = box.run(cmd("sh", "-c", "id -u; grep -E '^Cap(Eff|Bnd)' /proc/self/status;"
                    + " echo x > /workspace/by-root; stat -c '%u %g' /workspace/by-root").asRoot(true),
                    out, () -> false, Duration.ofSeconds(1));
            assertThat(t).as(out.out()).isEqualTo(new Termination.Exited(0));
            assertThat(out.out().lines().toList()).as(out.out()).containsExactly("0",
                    "CapEff:\t00000000800405fb", "CapBnd:\t00000000800405fb", "0 0");
        }
    }

    /** Issue 12: the user's code cannot signal the agent (another uid, and it holds no CAP_KILL). */
    @Test
    void theUsersCodeCannotSignalTheAgent() throws Exception {
        try (AgentSandbox box = AgentSandbox.launch(sandboxes.backend, sandboxes.offline(Profile.MODERATE))) {
            Out out = new Out();
            Termination t = box.run(cmd("sh", "-c", "kill -STOP $PPID 2>&1 || echo refused; kill -9 $PPID 2>&1 || echo refused"),
                    out, () -> false, Duration.ofSeconds(1));
            assertThat(t).as(out.out()).isEqualTo(new Termination.Exited(0));
            assertThat(out.out()).contains("refused").doesNotContain("No such process");
            assertThat(box.isAlive()).isTrue();
            Out after = new Out();
            assertThat(box.run(cmd("echo", "alive"), after, () -> false, Duration.ofSeconds(1)))
                    .isEqualTo(new Termination.Exited(0));
            assertThat(after.out()).isEqualTo("alive\n");
        }
    }

    @Test
    void timeoutEndsTheCommandButNotTheSandbox() throws Exception {
        try (AgentSandbox box = AgentSandbox.launch(sandboxes.backend, sandboxes.offline(Profile.MODERATE))) {
            CommandSpec slow = new CommandSpec(List.of("sleep", "30"), Map.of(), Optional.empty(),
                    Optional.of(Duration.ofMillis(300)));
            long begin = System.nanoTime();
            Termination t = box.run(slow, new Out(), () -> false, Duration.ofSeconds(1));
            assertThat(t).isInstanceOf(Termination.TimedOut.class);
            assertThat(Duration.ofNanos(System.nanoTime() - begin)).isLessThan(Duration.ofSeconds(5));
            assertThat(box.isAlive()).isTrue();
            Out out = new Out();
            assertThat(box.run(cmd("echo", "after"), out, () -> false, Duration.ofSeconds(1))).isEqualTo(new Termination.Exited(0));
        }
    }

    /**
     * A command the OOM killer ends is reported as such, the first one of a sandbox (whose count
     * before it was read when the agent became ready) as well as a later one (read before it
     * starts); a command that kills itself with SIGKILL is not.
     */
    @Test
    void outOfMemoryIsReported() throws Exception {
        SandboxSpec base = sandboxes.offline(Profile.MODERATE);
        SandboxSpec small = Sandboxes.withLimits(base, base.limits().withMemoryMb(64));
        CommandSpec hog = cmd("dd", "if=/dev/zero", "of=/dev/null", "bs=256M", "count=1");
        try (AgentSandbox box = AgentSandbox.launch(sandboxes.backend, small)) {
            assertThat(box.run(hog, new Out(), () -> false, Duration.ofSeconds(1)))
                    .isEqualTo(new Termination.OutOfMemory(64));
            assertThat(box.run(cmd("sh", "-c", "kill -9 $$"), new Out(), () -> false, Duration.ofSeconds(1)))
                    .isEqualTo(new Termination.Signaled(9));
            assertThat(box.run(hog, new Out(), () -> false, Duration.ofSeconds(1)))
                    .isEqualTo(new Termination.OutOfMemory(64));
        }
        try (AgentSandbox box = AgentSandbox.launch(sandboxes.backend, small)) {
            assertThat(box.run(cmd("sh", "-c", "kill -9 $$"), new Out(), () -> false, Duration.ofSeconds(1)))
                    .as("the first command of a sandbox").isEqualTo(new Termination.Signaled(9));
        }
    }

    @Test
    void cancelKillsTheCommand() throws Exception {
        try (AgentSandbox box = AgentSandbox.launch(sandboxes.backend, sandboxes.offline(Profile.MODERATE))) {
            long begin = System.nanoTime();
            Termination t = box.run(cmd("sleep", "30"), new Out(), () -> System.nanoTime() - begin > 200_000_000L,
                    Duration.ofSeconds(1));
            assertThat(t).isEqualTo(new Termination.Signaled(9));
        }
    }

    @Test
    void closeKillsEverything() throws Exception {
        AgentSandbox box = AgentSandbox.launch(sandboxes.backend, sandboxes.offline(Profile.MODERATE));
        box.start(cmd("sh", "-c", "setsid sleep 100 & sleep 100"), Optional.empty(), OutputSink.discard());
        box.close();
        assertThat(box.isAlive()).isFalse();
        // nothingLeftBehind (after each) checks cgroups and runtime dirs
    }
}
