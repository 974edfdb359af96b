package dev.agentkernel.backend.bwrap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentkernel.backend.bwrap.Sandboxes.Result;
import dev.agentkernel.core.backend.Execution;
import dev.agentkernel.core.backend.Stdio;
import dev.agentkernel.model.CommandSpec;
import dev.agentkernel.model.Profile;
import dev.agentkernel.model.SandboxRequest;
import dev.agentkernel.model.SandboxSpec;
import dev.agentkernel.model.Termination;
import dev.agentkernel.testing.HostProcesses;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Memory, process and CPU limits, the wall-clock timeout and kill. */
class LimitsIT extends SandboxTestBase {

    @Test
    void memoryHogIsKilledAsOutOfMemory() {
        SandboxSpec spec = sandboxes.spec(SandboxRequest.defaults().withNetwork(false).withMemoryMb(64));
        assertThat(spec.limits().memoryMb()).isEqualTo(64);
        // control: well under the limit works
        Result small = sandboxes.run(spec, "python3", "-c", "x = b'\\x01' * (16 * 1024 * 1024); print('ALLOCATED', len(x))");
        assertThat(small.termination()).as(small.describe()).isEqualTo(new Termination.Exited(0));
        assertThat(small.out()).contains("ALLOCATED 16777216");

        Result hog = sandboxes.run(spec, "python3", "-c", "x = b'\\x01' * (300 * 1024 * 1024); print('ALLOCATED', len(x))");
        assertThat(hog.termination()).as(hog.describe()).isEqualTo(new Termination.OutOfMemory(64));
        assertThat(hog.exitCode()).isEqualTo(137);
        assertThat(hog.out()).doesNotContain("ALLOCATED");
    }

    @Test
    void classicForkBombEndsWithItsShell() {
        // bash returns at once and leaves the bomb to its orphans; they die with the sandbox's pid namespace
        SandboxSpec base = sandboxes.offline(Profile.MODERATE);
        SandboxSpec spec = Sandboxes.withLimits(base, base.limits().withPids(64));
        CommandSpec bomb = Sandboxes.command(List.of("bash", "-c", ":(){ :|:& };:"), Map.of(), Duration.ofSeconds(3));
        Result r = sandboxes.run(spec, bomb);
        assertThat(r.elapsed()).as(r.describe()).isLessThan(Duration.ofSeconds(3 + 2 + 3));
        assertThat(r.termination()).as(r.describe()).isInstanceOfAny(Termination.Exited.class, Termination.TimedOut.class);
    }

    @Test
    void sustainedForkBombHitsThePidsLimitAndIsKilledAtTheTimeout() throws Exception {
        SandboxSpec base = sandboxes.offline(Profile.MODERATE);
        int pidLimit = 64;
        SandboxSpec spec = Sandboxes.withLimits(base, base.limits().withPids(pidLimit));
        // the shell waits (builtin, no fork needed) on a sleep started before the bomb, so the sandbox lives on
        CommandSpec bomb = Sandboxes.command(List.of("bash", "-c", "sleep 30 & s=$!; :(){ :|:& };:; wait $s"),
                Map.of(), Duration.ofSeconds(3));
        Sandboxes.Collector collector = new Sandboxes.Collector();
        long started = System.nanoTime();
        long maxPids = 0;
        long limitHits = 0;
        boolean hostCouldFork = false;
        try (Execution execution = sandboxes.backend.start(spec, bomb, Stdio.capture(collector))) {
            Path current = Sandboxes.pidsFile(execution.id(), "pids.current");
            Path events = Sandboxes.pidsFile(execution.id(), "pids.events");
            Path max = Sandboxes.pidsFile(execution.id(), "pids.max");
            long made = System.nanoTime() + 5_000_000_000L; // the launcher makes the group as it starts
            while (!Files.exists(max) && System.nanoTime() < made) {
                Thread.sleep(1);
            }
            assertThat(Files.readString(max).strip()).isEqualTo(Integer.toString(pidLimit));
            while (execution.await(Duration.ofMillis(100)).isEmpty()) {
                maxPids = Math.max(maxPids, readLong(current, null));
                limitHits = Math.max(limitHits, readLong(events, "max"));
                if (!hostCouldFork && System.nanoTime() - started > 1_500_000_000L) {
                    Process p = new ProcessBuilder("true").start();
                    hostCouldFork = p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0;
                }
                assertThat(System.nanoTime() - started).as("fork bomb still running").isLessThan(30_000_000_000L);
            }
            Termination end = Sandboxes.awaitOrFail(execution);
            Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
            assertThat(end).as(new String(collector.stderr(), java.nio.charset.StandardCharsets.UTF_8))
                    .isEqualTo(new Termination.TimedOut(Duration.ofSeconds(3)));
            assertThat(elapsed).isLessThan(Duration.ofSeconds(3 + 2 + 3));
        }
        assertThat(hostCouldFork).as("the host could start a process while the bomb ran").isTrue();
        assertThat(maxPids).as("processes in the sandbox's group").isPositive().isLessThanOrEqualTo(pidLimit);
        assertThat(limitHits).as("times the pids limit refused a fork").isPositive();
    }

    @Test
    void cpuQuotaThrottlesABusyLoop() {
        SandboxSpec spec = sandboxes.spec(SandboxRequest.defaults().withNetwork(false).withVcpus(0.2));
        assertThat(spec.limits().vcpus()).isEqualTo(0.2);
        Result r = sandboxes.run(spec, "python3", "-c", """
                import time
                w0 = time.monotonic(); c0 = time.process_time()
                while time.monotonic() - w0 < 1.0:
                    pass
                print(time.process_time() - c0, time.monotonic() - w0)
                """);
        String[] parts = r.out().strip().split(" ");
        double cpu = Double.parseDouble(parts[0]);
        double wall = Double.parseDouble(parts[1]);
        assertThat(wall).as(r.describe()).isGreaterThanOrEqualTo(1.0);
        assertThat(cpu).as("the loop ran at all").isGreaterThan(0.02);
        assertThat(cpu / wall).as("CPU/wall ratio under a 0.2-core quota (cpu %.3f s, wall %.3f s)", cpu, wall)
                .isLessThan(0.5);
    }

    @Test
    void timeoutKillsEverythingIncludingProcessesThatIgnoreSigterm() throws Exception {
        String marker = "100." + ThreadLocalRandom.current().nextInt(100_000, 999_999);
        CommandSpec cmd = Sandboxes.command(List.of("sh", "-c",
                "trap '' TERM; (trap '' TERM; sleep " + marker + ") & sleep " + marker), Map.of(), Duration.ofSeconds(1));
        Result r = sandboxes.run(sandboxes.offline(Profile.MODERATE), cmd);
        assertThat(r.termination()).as(r.describe()).isEqualTo(new Termination.TimedOut(Duration.ofSeconds(1)));
        assertThat(r.exitCode()).isEqualTo(124);
        assertThat(r.elapsed()).isGreaterThanOrEqualTo(Duration.ofSeconds(1))
                .isLessThan(Duration.ofMillis(1000 + 2000 + 1500));
        assertThat(HostProcesses.mentioning(marker)).as("sleeps left on the host").isEmpty();
    }

    @Test
    void timeoutEndsACooperativeCommandWithoutWaitingForTheGrace() {
        CommandSpec cmd = Sandboxes.command(List.of("sleep", "30"), Map.of(), Duration.ofMillis(500));
        Result r = sandboxes.run(sandboxes.offline(Profile.MODERATE), cmd);
        assertThat(r.termination()).as(r.describe()).isEqualTo(new Termination.TimedOut(Duration.ofMillis(500)));
        assertThat(r.elapsed()).isGreaterThanOrEqualTo(Duration.ofMillis(500)).isLessThan(Duration.ofMillis(2000));
    }

    @Test
    void killEndsTheSandboxAtOnce() throws Exception {
        String marker = "200." + ThreadLocalRandom.current().nextInt(100_000, 999_999);
        Sandboxes.Collector collector = new Sandboxes.Collector();
        try (Execution execution = sandboxes.backend.start(sandboxes.offline(Profile.MODERATE),
                CommandSpec.of("sh", "-c", "trap '' TERM; sleep " + marker + " & sleep " + marker),
                Stdio.capture(collector))) {
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (HostProcesses.mentioning("sleep " + marker).size() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(execution.await(Duration.ofMillis(50))).as("still running before kill").isEmpty();
            long killed = System.nanoTime();
            execution.kill();
            Termination end = Sandboxes.awaitOrFail(execution);
            assertThat(end).isEqualTo(new Termination.Signaled(9));
            assertThat(end.exitCode()).isEqualTo(137);
            assertThat(Duration.ofNanos(System.nanoTime() - killed)).isLessThan(Duration.ofSeconds(1));
        }
        assertThat(HostProcesses.mentioning(marker)).isEmpty();
    }

    @Test
    void backgroundAndDaemonizedProcessesDoNotOutliveTheCommand() throws Exception {
        String marker = "500." + ThreadLocalRandom.current().nextInt(100_000, 999_999);
        Result r = sandboxes.run(sandboxes.offline(Profile.MODERATE), "sh", "-c",
                "setsid sleep " + marker + " & nohup sleep " + marker + " >/dev/null 2>&1 & echo started");
        assertThat(r.termination()).as(r.describe()).isEqualTo(new Termination.Exited(0));
        assertThat(r.out()).isEqualTo("started\n");
        assertThat(r.elapsed()).isLessThan(Duration.ofSeconds(5));
        assertThat(HostProcesses.mentioning(marker)).as("background sleeps left on the host").isEmpty();
    }

    @Test
    void stdinThatNeverEndsDoesNotHoldUpTheResult() throws Exception {
        java.io.InputStream endless = new java.io.InputStream() {
            @Override
            public int read() throws java.io.IOException {
                try {
                    Thread.sleep(Duration.ofMinutes(5));
                } catch (InterruptedException e) {
                    throw new java.io.InterruptedIOException();
                }
                return -1;
            }
        };
        Sandboxes.Collector collector = new Sandboxes.Collector();
        long started = System.nanoTime();
        try (Execution execution = sandboxes.backend.start(sandboxes.offline(Profile.MODERATE), CommandSpec.of("true"),
                new Stdio(new Stdio.Input.From(endless), new Stdio.Output.To(collector), new Stdio.Output.To(collector)))) {
            assertThat(execution.await(Duration.ofSeconds(10))).contains(new Termination.Exited(0));
        }
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    }

    private static long readLong(Path file, String key) {
        try {
            String text = Files.readString(file).strip();
            if (key == null) {
                return Long.parseLong(text);
            }
            for (String line : text.split("\n")) {
                String[] kv = line.strip().split("\\s+");
                if (kv.length == 2 && kv[0].equals(key)) {
                    return Long.parseLong(kv[1]);
                }
            }
            return 0;
        } catch (IOException | NumberFormatException e) {
            return 0; // the group is gone (run ended)
        }
    }
}
