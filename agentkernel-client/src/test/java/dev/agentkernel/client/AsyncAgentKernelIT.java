package dev.agentkernel.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Every method of the async client against the real daemon. */
class AsyncAgentKernelIT extends DaemonTestBase {

    @Test
    void healthStatusAndRuns() {
        assertThat(async.health().join()).isEqualTo("ok");
        assertThat(async.status().join().backend()).isEqualTo("bwrap");
        RunResult r = async.run(List.of("python3", "-c", "print(1 + 1)"), RunOptions.defaults().withFast(false)).join();
        assertThat(r.output()).isEqualTo("2\n");
        assertThat(async.run("sh", "-c", "exit 9").join().exitCode()).isEqualTo(9);
    }

    @Test
    void manyRunsAtOnce() {
        List<CompletableFuture<RunResult>> runs = IntStream.range(0, 8)
                .mapToObj(i -> async.run("sh", "-c", "echo " + i)).toList();
        assertThat(runs.stream().map(CompletableFuture::join).map(RunResult::output).toList())
                .containsExactly("0\n", "1\n", "2\n", "3\n", "4\n", "5\n", "6\n", "7\n");
    }

    @Test
    void batch() {
        List<BatchResult> results = async.batchRun(List.of(BatchCommand.of("echo", "x"), BatchCommand.of("echo", "y")))
                .join();
        assertThat(results).extracting(r -> ((BatchResult.Completed) r).result().output()).containsExactly("x\n", "y\n");
    }

    @Test
    void aSandboxThroughEveryAsyncMethod() {
        String name = uniqueName("async");
        SandboxInfo created = async.createSandbox(name, SandboxOptions.defaults().withMemoryMb(300)).join();
        try {
            assertThat(created.memoryMb()).isEqualTo(300);
            assertThat(async.listSandboxes().join()).extracting(SandboxInfo::name).contains(name);
            assertThat(async.getSandbox(name).join().running()).isTrue();

            RunResult exec = async.execInSandbox(name, List.of("sh", "-c", "echo $V; pwd"),
                    ExecOptions.defaults().withEnv("V", "v").withWorkdir("/tmp")).join();
            assertThat(exec.output()).isEqualTo("v\n/tmp\n");

            async.writeFile(name, "/tmp/t.txt", "text").join();
            assertThat(async.readFile(name, "/tmp/t.txt").join().text()).isEqualTo("text");
            byte[] bytes = {0, 1, 2, (byte) 0xfe, (byte) 0xff};
            async.writeFile(name, "/tmp/b.bin", bytes).join();
            assertThat(async.readFileBytes(name, "/tmp/b.bin").join()).isEqualTo(bytes);
            assertThat(async.readFile(name, "/tmp/b.bin").join().bytes()).isEqualTo(bytes);
            async.deleteFile(name, "/tmp/b.bin").join();
            assertThatThrownBy(() -> async.readFileBytes(name, "/tmp/b.bin").join()).cause()
                    .isInstanceOf(NotFoundException.class);

            assertThat(async.logs(name).join()).extracting(AuditEvent::event).contains("file_deleted");
            assertThat(async.audit(5).join()).hasSizeLessThanOrEqualTo(5).isNotEmpty();

            assertThat(async.stopSandbox(name).join().running()).isFalse();
            assertThatThrownBy(() -> async.execInSandbox(name, List.of("true"), ExecOptions.defaults()).join())
                    .cause().isInstanceOf(ConflictException.class);
            assertThat(async.startSandbox(name).join().running()).isTrue();
        } finally {
            async.removeSandbox(name).join();
        }
        assertThatThrownBy(() -> async.getSandbox(name).join()).cause().isInstanceOf(NotFoundException.class);
    }

    @Test
    void aLongCommandWithItsOwnTimeoutOutlivesTheClientTimeout() {
        AsyncAgentKernel quick = async.withTimeout(Duration.ofMillis(500));
        RunResult r = quick.run(List.of("sh", "-c", "sleep 1.2; echo slow"),
                RunOptions.defaults().withTimeout(Duration.ofSeconds(20))).join();
        assertThat(r.output()).isEqualTo("slow\n");
        assertThatThrownBy(() -> quick.run("sleep", "1.2").join()).cause().isInstanceOf(ConnectionException.class)
                .hasMessageContaining("no response");
    }

    @Test
    void withSandboxGivesTheBodysResultAndRemovesTheSandbox() {
        String name = uniqueName("with");
        String out = async.withSandbox(name, SandboxOptions.defaults(), sb -> sb.writeFile("/tmp/a.txt", "é\n")
                .thenCompose(v -> sb.run(List.of("cat", "/tmp/a.txt")))
                .thenApply(RunResult::stdout)).join();
        assertThat(out).isEqualTo("é\n");
        assertThatThrownBy(() -> client.getSandbox(name)).isInstanceOf(NotFoundException.class);
    }
}
