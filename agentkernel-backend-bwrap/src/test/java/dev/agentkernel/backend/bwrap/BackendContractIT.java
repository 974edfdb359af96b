package dev.agentkernel.backend.bwrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentkernel.agent.OutputSink;
import dev.agentkernel.core.image.HostImages;
import dev.agentkernel.core.image.ImageRoots;
import dev.agentkernel.core.policy.PolicyResolver;
import dev.agentkernel.core.sandbox.AgentSandbox;
import dev.agentkernel.image.ImageService;
import dev.agentkernel.image.TestImages;
import dev.agentkernel.model.BackendUnavailableException;
import dev.agentkernel.model.CommandSpec;
import dev.agentkernel.model.OutputStreamKind;
import dev.agentkernel.model.Profile;
import dev.agentkernel.model.SandboxRequest;
import dev.agentkernel.model.SandboxSpec;
import dev.agentkernel.model.Termination;
import dev.agentkernel.testing.HostLeftovers;
import dev.agentkernel.testing.TestDirectories;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What every isolation backend must do, checked on the real backend with a real image (the busybox
 * test image from a loopback registry): one subclass per backend ({@link BwrapContractIT},
 * {@link RuncContractIT}, {@link CrunContractIT}, {@link GvisorContractIT}, {@link DockerContractIT}), each run in CI. Commands, streams, exit
 * codes and stdin; the agent's exec and files; the sandbox's identities; limits (memory, pids,
 * time); and the hostile cases: host files, {@code /proc}, mounts, device nodes, the host's
 * addresses, a fork bomb, and nothing left on the host after any of them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class BackendContractIT {

    private Path dir;
    private Sandboxes sandboxes;
    private ImageService images;
    private PolicyResolver resolver;
    private String image;

    /** The backend's name. */
    abstract String backend();

    /** Whether its sandboxes run on the host's kernel (bwrap, runc) rather than one of their own (gVisor). */
    abstract boolean hostKernel();

    /** Whether it gives sandboxes network on this host (else a request for it is refused, 503). */
    abstract boolean network();

    /** What the backend's environment holds beyond this process's (an engine's address). */
    Map<String, String> environment() throws IOException {
        return Map.of();
    }

    /** The smallest memory limit its sandboxes start with (gVisor's own kernel needs some). */
    long minimumMemoryMb() {
        return 64;
    }

    @BeforeAll
    void open() throws Exception {
        Sandboxes.assumeSandboxHost();
        dir = Files.createTempDirectory("ak-contract-" + backend() + "-");
        sandboxes = Sandboxes.open(dir, environment(), backend());
        images = HostImages.open(sandboxes.host);
        resolver = new PolicyResolver(sandboxes.host, false,
                new ImageRoots(images, ImageRoots.dirOf(sandboxes.host.stateDir())));
        TestImages test = TestImages.get();
        image = test.ref(test.plain, "test/base:1");
        HostLeftovers.ignoreRunningProcesses(); // the test registries
    }

    @AfterEach
    void nothingLeftBehind() {
        sandboxes.assertNothingLeftBehind();
    }

    @AfterAll
    void close() throws IOException {
        if (sandboxes != null) {
            sandboxes.close();
        }
        if (images != null) {
            images.close();
        }
        if (dir != null) {
            TestDirectories.delete(dir);
        }
    }

    private SandboxSpec spec(Profile profile, boolean network) {
        return resolver.resolve(SandboxRequest.defaults().withProfile(profile).withImage(image).withNetwork(network)
                .withMemoryMb(Math.max(minimumMemoryMb(), 256)));
    }

    private SandboxSpec offline() {
        return spec(Profile.MODERATE, false);
    }

    private static CommandSpec sh(String script, boolean root, Duration timeout) {
        return new CommandSpec(List.of("sh", "-c", script), Map.of(), Optional.empty(), Optional.of(timeout), root);
    }

    private static CommandSpec sh(String script) {
        return sh(script, false, Duration.ofSeconds(30));
    }

    private static CommandSpec sudo(String script) {
        return sh(script, true, Duration.ofSeconds(30));
    }

    // ---- commands and streams --------------------------------------------------------------

    @Test
    void runsOnTheImageAsTheSandboxUser() {
        SandboxSpec spec = offline();
        Sandboxes.Result r = sandboxes.run(spec, sh("cat /etc/os-release; id -u; id -g; pwd"));
        assertThat(r.exitCode()).as(r.describe()).isZero();
        assertThat(r.out()).contains("AgentKernel test busybox").contains("1000\n1000\n" + spec.workdir() + "\n");
    }

    @Test
    void exitCodesAndSeparateStreams() {
        Sandboxes.Result r = sandboxes.run(offline(), sh("echo out; echo err >&2; exit 7"));
        assertThat(r.termination()).as(r.describe()).isEqualTo(new Termination.Exited(7));
        assertThat(r.out()).isEqualTo("out\n");
        assertThat(r.err()).isEqualTo("err\n");
    }

    @Test
    void stdinReachesTheCommandByteForByte() {
        byte[] input = new byte[70_000];
        for (int i = 0; i < input.length; i++) {
            input[i] = (byte) (i * 31);
        }
        Sandboxes.Result r = sandboxes.run(offline(), CommandSpec.of("cat"), input);
        assertThat(r.exitCode()).as(r.describe()).isZero();
        assertThat(r.stdout()).isEqualTo(input);
    }

    @Test
    void theKernelIsTheBackendsOwn() throws IOException {
        Sandboxes.Result r = sandboxes.run(offline(), sh("uname -r"));
        String host = Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
        if (hostKernel()) {
            assertThat(r.out().strip()).isEqualTo(host);
        } else {
            assertThat(r.out().strip()).as("a user-space kernel's release").isNotEmpty().isNotEqualTo(host);
        }
    }

    // ---- the agent ---------------------------------------------------------------------------

    private static final class Out implements OutputSink {
        final ByteArrayOutputStream stdout = new ByteArrayOutputStream();

        @Override
        public synchronized void accept(OutputStreamKind stream, byte[] b, int off, int len) {
            if (stream == OutputStreamKind.STDOUT) {
                stdout.write(b, off, len);
            }
        }

        synchronized String text() {
            return stdout.toString(StandardCharsets.UTF_8);
        }
    }

    @Test
    void theAgentRunsCommandsAndMovesFiles() throws Exception {
        try (AgentSandbox box = AgentSandbox.launch(sandboxes.backend, offline())) {
            Out out = new Out();
            assertThat(box.run(sh("echo hi; id -u; exit 3"), out, () -> false, Duration.ofSeconds(1)))
                    .isEqualTo(new Termination.Exited(3));
            assertThat(out.text()).isEqualTo("hi\n1000\n");
            byte[] data = new byte[300_000];
            for (int i = 0; i < data.length; i++) {
                data[i] = (byte) i;
            }
            box.agent().writeFile("/workspace/blob", data, 0644);
            Out sum = new Out();
            box.run(sh("cat /workspace/blob | wc -c"), sum, () -> false, Duration.ofSeconds(1));
            assertThat(sum.text().strip()).isEqualTo("300000");
            assertThat(box.agent().readFile("/workspace/blob")).isEqualTo(data);
            Out root = new Out();
            box.run(sudo("id -u"), root, () -> false, Duration.ofSeconds(1));
            assertThat(root.text()).isEqualTo("0\n");
            // none of the agent's descriptors reaches the command (close_range, or the /proc/self/fd walk where the
            // kernel lacks it, as gVisor's does)
            Out fds = new Out();
            box.run(sh("ls -l /proc/$$/fd"), fds, () -> false, Duration.ofSeconds(1));
            assertThat(fds.text().lines().filter(l -> l.contains("->")).map(l -> l.substring(l.indexOf(" -> ") - 1))
                    .toList()).as(fds.text()).hasSize(3).allMatch(l -> l.matches("[012] -> .*"));
            assertThat(box.isAlive()).isTrue();
        }
    }

    // ---- pause and resume (issue 15) ---------------------------------------------------------

    private static final String COUNTER = "i=0; while :; do i=$((i+1)); if [ $((i % 500)) -eq 0 ]; then "
            + "echo $i > /tmp/c.new; mv /tmp/c.new /tmp/c; fi; done";

    private static long counter(AgentSandbox box) {
        return Long.parseLong(new String(box.agent().readFile("/tmp/c"), StandardCharsets.UTF_8).strip());
    }

    private static boolean counterExists(AgentSandbox box) {
        try {
            box.agent().stat("/tmp/c");
            return true;
        } catch (dev.agentkernel.model.NotFoundException e) {
            return false;
        }
    }

    private static long cpuOver(AgentSandbox box, Duration window) throws InterruptedException {
        long before = box.cpuUsageMicros().orElseThrow(() -> new AssertionError("the host reports no CPU use"));
        Thread.sleep(window);
        return box.cpuUsageMicros().orElseThrow() - before;
    }

    @Test
    void aPausedSandboxUsesNoCpuAndResumesWithItsMemory() throws Exception {
        try (AgentSandbox box = AgentSandbox.launch(sandboxes.backend, offline())) {
            box.start(sh("exec sh -c '" + COUNTER + "'", false, Duration.ofMinutes(5)), Optional.empty(), (k, b, o, l) -> { });
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!counterExists(box) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(cpuOver(box, Duration.ofMillis(500))).as("CPU of the busy loop while it runs (µs)")
                    .isGreaterThan(100_000);
            long beforePause = counter(box);
            box.pause();
            assertThat(box.isPaused()).isTrue();
            assertThat(cpuOver(box, Duration.ofSeconds(1))).as("CPU used over 1 s while paused (µs)").isLessThan(5_000);
            box.pause(); // idempotent
            box.resume();
            assertThat(box.isPaused()).isFalse();
            long afterResume = counter(box);
            assertThat(afterResume).as("the counter continues where it stopped (its memory was kept)")
                    .isGreaterThanOrEqualTo(beforePause);
            Thread.sleep(300);
            assertThat(counter(box)).as("and keeps counting").isGreaterThan(afterResume);
            assertThat(box.isAlive()).isTrue();
            box.resume(); // idempotent
            box.pause(); // closed while paused: nothing may be left (checked after each test)
        }
    }

    // ---- identities and the host's secrets ---------------------------------------------------

    @Test
    void sandboxRootIsNotHostRoot() throws IOException {
        Path secret = Files.createTempFile(Path.of("/root"), "ak-contract-secret", ".txt");
        try {
            Files.writeString(secret, "host secret");
            Files.setPosixFilePermissions(secret, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            Sandboxes.Result r = sandboxes.run(offline(), sudo("id -u; cat " + secret + " 2>&1; ls /root 2>&1;"
                    + " cat /proc/self/uid_map"));
            assertThat(r.out()).as(r.describe()).startsWith("0\n").doesNotContain("host secret");
            if (hostKernel()) {
                // sandbox root is an unprivileged host uid
                assertThat(r.out()).doesNotContain(" 0          0 4294967295").containsPattern("\\s0\\s+\\d{6,}\\s+65536");
            }
        } finally {
            Files.deleteIfExists(secret);
        }
    }

    @Test
    void procSysIsReadOnlyAndHostWideProcFilesAreHidden() throws IOException {
        String before = Files.readString(Path.of("/proc/sys/kernel/core_pattern"));
        Sandboxes.Result r = sandboxes.run(offline(), sudo(
                "echo '|/tmp/x' > /proc/sys/kernel/core_pattern && echo wrote-core-pattern;"
                        + " echo 1 > /proc/sysrq-trigger 2>/dev/null && echo wrote-sysrq;"
                        + " cat /proc/kpageflags 2>/dev/null | wc -c; cat /proc/timer_list 2>/dev/null | wc -c"));
        assertThat(Files.readString(Path.of("/proc/sys/kernel/core_pattern"))).isEqualTo(before);
        assertThat(r.out()).as(r.describe()).doesNotContain("wrote-core-pattern").doesNotContain("wrote-sysrq")
                .isEqualTo("0\n0\n");
    }

    @Test
    void mountsAndDeviceNodesAreRefusedEvenToRoot() {
        Sandboxes.Result r = sandboxes.run(offline(), sudo(
                "mkdir -p /tmp/m; mount -t tmpfs none /tmp/m 2>/dev/null && echo mounted;"
                        + " mknod /tmp/sda b 8 0 2>/dev/null && head -c 1 /tmp/sda >/dev/null 2>&1 && echo read-disk;"
                        + " ls /dev"));
        assertThat(r.out()).as(r.describe()).doesNotContain("mounted").doesNotContain("read-disk")
                .doesNotContain("sda").doesNotContain("kmsg").doesNotContain("mem\n");
    }

    // ---- limits --------------------------------------------------------------------------------

    @Test
    void theMemoryLimitEndsTheSandbox() {
        long limit = Math.max(minimumMemoryMb(), 64);
        SandboxSpec spec = resolver.resolve(SandboxRequest.defaults().withImage(image).withNetwork(false)
                .withMemoryMb(limit));
        // one buffer four times the limit, filled at once (a shell string that size takes gVisor's ptrace
        // platform longer than a minute to build)
        Sandboxes.Result r = sandboxes.run(spec, sh("dd if=/dev/zero of=/dev/null bs=" + limit * 4 + "M count=1"
                + " 2>/dev/null && echo survived", false, Duration.ofSeconds(30)));
        assertThat(r.out()).as(r.describe()).doesNotContain("survived");
        assertThat(r.termination()).as(r.describe()).isNotEqualTo(new Termination.Exited(0));
        if (hostKernel()) {
            assertThat(r.termination()).as(r.describe()).isInstanceOf(Termination.OutOfMemory.class);
        }
    }

    @Test
    void aForkBombIsContained() {
        SandboxSpec spec = offline();
        Sandboxes.Result r = sandboxes.run(spec, sh("i=0; while [ $i -lt 3000 ]; do sleep 60 & i=$((i+1)); done;"
                + " echo spawned $i", false, Duration.ofSeconds(15)));
        if (hostKernel()) {
            // the pids limit: forks fail long before 3000
            assertThat(r.err()).as(r.describe()).containsIgnoringCase("fork");
        } else {
            // gVisor's processes are not the host's: its memory and the time limit bound them
            assertThat(r.termination()).as(r.describe()).isNotNull();
        }
    }

    @Test
    void theTimeLimitKillsEverything() {
        Sandboxes.Result r = sandboxes.run(offline(), sh("sleep 300 & sleep 300", false, Duration.ofSeconds(2)));
        assertThat(r.termination()).as(r.describe()).isInstanceOf(Termination.TimedOut.class);
        assertThat(r.elapsed()).isLessThan(Duration.ofSeconds(20));
    }

    @Test
    void theRestrictiveProfileHasAReadOnlyRoot() {
        Sandboxes.Result r = sandboxes.run(spec(Profile.RESTRICTIVE, false),
                sh("touch /x 2>/dev/null && echo root-writable; touch /workspace/y 2>/dev/null && echo ws-writable;"
                        + " touch /tmp/z && echo tmp-ok"));
        assertThat(r.out()).as(r.describe()).isEqualTo("tmp-ok\n");
    }

    // ---- network -------------------------------------------------------------------------------

    @Test
    void withoutNetworkThereIsOnlyLoopback() {
        Sandboxes.Result r = sandboxes.run(offline(), sh("cat /proc/net/dev"));
        assertThat(r.exitCode()).as(r.describe()).isZero();
        assertThat(r.out()).doesNotContain("eth0");
    }

    @Test
    void withNetworkTheHostIsStillOutOfReach() throws Exception {
        SandboxSpec spec = spec(Profile.MODERATE, true);
        if (!network()) {
            assertThatThrownBy(() -> sandboxes.run(spec, sh("true")))
                    .isInstanceOf(BackendUnavailableException.class).hasMessageContaining("network");
            return;
        }
        // a first sandbox with network makes the host's side of the bridge (on a fresh host, it is not there before)
        assertThat(sandboxes.run(spec, sh("true")).exitCode()).isZero();
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName("0.0.0.0"))) {
            AtomicInteger accepted = TestHosts.acceptInBackground(server, new AtomicInteger());
            int port = server.getLocalPort();
            // the host's side of the bridge does listen there: a connection from the host itself gets in
            try (Socket control = new Socket("100.64.0.1", port)) {
                assertThat(control.isConnected()).isTrue();
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (accepted.get() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(accepted.get()).as("the control connection").isEqualTo(1);
            Sandboxes.Result r = sandboxes.run(spec, sh("cat /proc/net/dev | grep -c eth0;"
                    + " for a in 100.64.0.1 10.0.2.2 172.17.0.1; do"
                    + "   nc -w 3 $a " + port + " </dev/null && echo reached $a; done; echo done"));
            assertThat(r.out()).as(r.describe()).startsWith("1\n").doesNotContain("reached").endsWith("done\n");
            assertThat(r.err()).as(r.describe()).contains("can't connect");
            assertThat(accepted.get()).as("connections from the sandbox").isEqualTo(1);
        }
    }
}
