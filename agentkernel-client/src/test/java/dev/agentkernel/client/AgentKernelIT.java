package dev.agentkernel.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every method of the blocking client against the real daemon with real sandboxes. */
class AgentKernelIT extends DaemonTestBase {

    @Test
    void healthAndStatus() {
        assertThat(client.health()).isEqualTo("ok");
        ServerStatus status = client.status();
        assertThat(status.backend()).isEqualTo("bwrap");
        assertThat(status.runs().max()).isEqualTo(32);
        assertThat(status.pool().enabled()).isTrue();
        assertThat(status.pool().targetPerKey()).isEqualTo(1);
        assertThat(status.uptime()).isPositive();
        assertThat(status.version()).isNotBlank();
    }

    @Test
    void runKeepsOutputByteForByte() {
        RunResult r = client.run("python3", "-c", "print(1 + 1)");
        assertThat(r.output()).isEqualTo("2\n");
        assertThat(r.stdout()).isEqualTo("2\n");
        assertThat(r.stderr()).isEmpty();
        assertThat(r.exitCode()).isZero();
        assertThat(r.succeeded()).isTrue();
        assertThat(r.reason()).isEmpty();
        assertThat(r.truncated()).isFalse();
        assertThat(r.sandbox()).hasValueSatisfying(s -> assertThat(s).isNotBlank());
        assertThat(r.duration()).hasValueSatisfying(d -> assertThat(d).isLessThan(Duration.ofSeconds(30)));
    }

    @Test
    void runSeparatesStreamsAndReportsTheExitCode() {
        RunResult r = client.run(List.of("sh", "-c", "echo out; echo err >&2; exit 3"), RunOptions.defaults()
                .withFast(false));
        assertThat(r.stdout()).isEqualTo("out\n");
        assertThat(r.stderr()).isEqualTo("err\n");
        assertThat(r.output()).contains("out\n").contains("err\n");
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.succeeded()).isFalse();
    }

    @Test
    void runPassesEnvironmentAndProfile() {
        RunResult env = client.run(List.of("sh", "-c", "printf '%s|%s' \"$GREETING\" \"$OTHER\""), RunOptions.defaults()
                .withEnv("GREETING", "hello world").withEnv("OTHER", "a=b"));
        assertThat(env.output()).isEqualTo("hello world|a=b");

        // restrictive: a read-only root file system, even for root of the sandbox (so only the mount can refuse)
        RunResult restricted = client.run(List.of("sh", "-c", "touch /opt-should-fail 2>/dev/null || echo refused"),
                RunOptions.defaults().withProfile(Profile.RESTRICTIVE).withImage("host").withSudo(true));
        assertThat(restricted.output()).isEqualTo("refused\n");
        RunResult moderate = client.run(List.of("sh", "-c", "touch /opt-may-be-made && echo made"),
                RunOptions.defaults().withSudo(true));
        assertThat(moderate.output()).as("root of a moderate sandbox writes its own root").isEqualTo("made\n");
    }

    @Test
    void commandsRunAsTheSandboxsUserUnlessTheyAskForRoot() {
        assertThat(client.run(List.of("id", "-u")).output()).isEqualTo("1000\n");
        assertThat(client.run(List.of("id", "-u"), RunOptions.defaults().withSudo(true)).output()).isEqualTo("0\n");
        String name = uniqueName("sudo");
        client.createSandbox(name, SandboxOptions.defaults().withNetwork(false));
        try {
            assertThat(client.execInSandbox(name, List.of("id", "-u")).output()).isEqualTo("1000\n");
            assertThat(client.execInSandbox(name, List.of("id", "-u"), ExecOptions.defaults().withSudo(true)).output())
                    .isEqualTo("0\n");
        } finally {
            client.removeSandbox(name);
        }
    }

    @Test
    void theCommandsTimeoutEndsIt() {
        long start = System.nanoTime();
        RunResult r = client.run(List.of("sleep", "30"), RunOptions.defaults().withTimeout(Duration.ofMillis(700)));
        assertThat(r.exitCode()).isEqualTo(124);
        assertThat(r.reason()).hasValueSatisfying(reason -> assertThat(reason).contains("timed out"));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void batchRunsEveryCommandInOrder() {
        List<BatchResult> results = client.batchRun(List.of(
                BatchCommand.of("echo", "first"),
                BatchCommand.of(List.of("sh", "-c", "echo $X; exit 4"), RunOptions.defaults().withEnv("X", "second")),
                BatchCommand.of("python3", "-c", "print(2 + 2)")));
        assertThat(results).hasSize(3).allSatisfy(r -> assertThat(r).isInstanceOf(BatchResult.Completed.class));
        List<RunResult> runs = results.stream().map(r -> ((BatchResult.Completed) r).result()).toList();
        assertThat(runs).extracting(RunResult::output).containsExactly("first\n", "second\n", "4\n");
        assertThat(runs).extracting(RunResult::exitCode).containsExactly(0, 4, 0);
    }

    @Test
    void aPersistentSandboxFromCreateToRemove() {
        String name = uniqueName("life");
        Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        SandboxInfo created = client.createSandbox(name, SandboxOptions.defaults().withVcpus(1).withMemoryMb(256)
                .withProfile(Profile.MODERATE).withNetwork(false).withImage("host"));
        try {
            assertThat(created.name()).isEqualTo(name);
            assertThat(created.running()).isTrue();
            assertThat(created.backend()).isEqualTo("bwrap");
            assertThat(created.vcpus()).isEqualTo(1);
            assertThat(created.memoryMb()).isEqualTo(256);
            assertThat(created.profile()).contains(Profile.MODERATE);
            assertThat(created.network()).isFalse();
            assertThat(created.image()).contains("host");
            assertThat(created.createdAt()).hasValueSatisfying(t -> assertThat(t).isAfterOrEqualTo(before));

            assertThat(client.listSandboxes()).extracting(SandboxInfo::name).contains(name);
            assertThat(client.getSandbox(name)).isEqualTo(created);

            RunResult exec = client.execInSandbox(name, List.of("sh", "-c", "echo \"$A\"; pwd; exit 5"),
                    ExecOptions.defaults().withEnv("A", "from env").withWorkdir("/tmp").withTimeout(Duration.ofSeconds(20)));
            assertThat(exec.output()).isEqualTo("from env\n/tmp\n");
            assertThat(exec.exitCode()).isEqualTo(5);
            assertThat(exec.sandbox()).isEmpty();
            assertThat(client.execInSandbox(name, List.of("pwd")).output()).isEqualTo("/workspace\n");

            client.writeFile(name, "/workspace/kept.txt", "kept\n");
            SandboxInfo stopped = client.stopSandbox(name);
            assertThat(stopped.running()).isFalse();
            assertThat(stopped.status()).isEqualTo("stopped");
            assertThat(client.startSandbox(name).running()).isTrue();
            assertThat(client.readFile(name, "/workspace/kept.txt").text()).as("files survive stop and start")
                    .isEqualTo("kept\n");

            RunResult timedOut = client.execInSandbox(name, List.of("sleep", "30"),
                    ExecOptions.defaults().withTimeout(Duration.ofMillis(500)));
            assertThat(timedOut.exitCode()).isEqualTo(124);
        } finally {
            client.removeSandbox(name);
        }
        assertThatThrownBy(() -> client.getSandbox(name)).isInstanceOf(NotFoundException.class);
    }

    @Test
    void filesAsTextAndAsBytes() {
        String name = uniqueName("files");
        client.createSandbox(name);
        try {
            client.writeFile(name, "/tmp/hello.txt", "héllo wörld\n");
            FileContent text = client.readFile(name, "/tmp/hello.txt");
            assertThat(text.encoding()).isEqualTo(FileContent.Encoding.UTF8);
            assertThat(text.text()).isEqualTo("héllo wörld\n");
            assertThat(text.size()).isEqualTo("héllo wörld\n".getBytes(StandardCharsets.UTF_8).length);
            assertThat(client.readFileBytes(name, "tmp/hello.txt"))
                    .isEqualTo("héllo wörld\n".getBytes(StandardCharsets.UTF_8));

            byte[] binary = new byte[70_000];
            for (int i = 0; i < binary.length; i++) {
                binary[i] = (byte) (i * 31);
            }
            client.writeFile(name, "/workspace/data.bin", binary);
            FileContent viaJson = client.readFile(name, "/workspace/data.bin");
            assertThat(viaJson.binary()).isTrue();
            assertThat(viaJson.size()).isEqualTo(binary.length);
            assertThat(viaJson.bytes()).isEqualTo(binary);
            assertThat(client.readFileBytes(name, "/workspace/data.bin")).isEqualTo(binary);
            assertThat(client.execInSandbox(name, List.of("wc", "-c", "/workspace/data.bin")).output())
                    .isEqualTo("70000 /workspace/data.bin\n");

            String odd = "/tmp/a b+c;d%e?#é.txt";
            client.writeFile(name, odd, "odd");
            assertThat(client.readFile(name, odd).text()).isEqualTo("odd");
            assertThat(client.execInSandbox(name, List.of("cat", odd)).output()).isEqualTo("odd");

            client.deleteFile(name, odd);
            assertThatThrownBy(() -> client.readFile(name, odd)).isInstanceOf(NotFoundException.class);
        } finally {
            client.removeSandbox(name);
        }
    }

    @Test
    void logsAndAudit() {
        String name = uniqueName("logs");
        client.createSandbox(name);
        try {
            client.execInSandbox(name, List.of("true"));
            client.writeFile(name, "/tmp/x", "x");
            List<AuditEvent> events = client.logs(name);
            assertThat(events).extracting(AuditEvent::event)
                    .containsSubsequence("sandbox_created", "command_executed", "file_written");
            assertThat(events).allSatisfy(e -> assertThat(e.sandbox()).contains(name));
            assertThat(events).isSortedAccordingTo(java.util.Comparator.comparing(AuditEvent::timestamp));
            AuditEvent written = events.stream().filter(e -> e.event().equals("file_written")).findFirst().orElseThrow();
            assertThat(written.details()).containsEntry("path", "/tmp/x").containsEntry("bytes", 1);

            List<AuditEvent> newest = client.logs(name, 1);
            assertThat(newest).singleElement().isEqualTo(events.getLast());

            assertThat(client.audit(10_000)).extracting(AuditEvent::sandbox)
                    .contains(java.util.Optional.of(name));
        } finally {
            client.removeSandbox(name);
        }
    }

    @Test
    void theClientCanBeConfiguredFromTheEnvironment() {
        try (AgentKernel fromEnv = AgentKernel.builder().environment(Map.of(
                "AGENTKERNEL_BASE_URL", fx.baseUrl() + "/", "AGENTKERNEL_API_KEY", Daemons.KEY)).build()) {
            assertThat(fromEnv.run("echo", "env").output()).isEqualTo("env\n");
        }
    }
}
