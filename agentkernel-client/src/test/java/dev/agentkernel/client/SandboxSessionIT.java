package dev.agentkernel.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Sessions against the real daemon: the sandbox exists inside the block and is gone after it. */
class SandboxSessionIT extends DaemonTestBase {

    @Test
    void aSessionRunsCommandsAndFilesAndRemovesItsSandbox() {
        String name = uniqueName("session");
        try (SandboxSession sb = client.sandbox(name, SandboxOptions.defaults().withProfile(Profile.MODERATE))) {
            assertThat(sb.name()).isEqualTo(name);
            assertThat(sb.info().running()).isTrue();
            sb.writeFile("/workspace/main.py", "import sys\nprint(open('/workspace/in.bin','rb').read().hex())\n");
            sb.writeFile("/workspace/in.bin", new byte[] {0, 10, (byte) 0xff});
            RunResult r = sb.run("python3", "/workspace/main.py");
            assertThat(r.output()).isEqualTo("000aff\n");
            assertThat(sb.run(List.of("sh", "-c", "echo $X"), ExecOptions.defaults().withEnv("X", "1")).output())
                    .isEqualTo("1\n");
            assertThat(sb.readFile("/workspace/main.py").text()).startsWith("import sys");
            assertThat(sb.readFileBytes("/workspace/in.bin")).containsExactly(0, 10, 0xff);
            sb.deleteFile("/workspace/in.bin");
            assertThat(sb.logs()).extracting(AuditEvent::event).contains("sandbox_created", "file_deleted");
            assertThat(client.listSandboxes()).extracting(SandboxInfo::name).contains(name);
        }
        assertThatThrownBy(() -> client.getSandbox(name)).isInstanceOf(NotFoundException.class);
    }

    @Test
    void theSandboxIsRemovedWhenTheBlockThrows() {
        String name = uniqueName("throws");
        assertThatThrownBy(() -> {
            try (SandboxSession sb = client.sandbox(name)) {
                sb.run("true");
                sb.readFile("/no/such/file"); // NotFoundException leaves the block
            }
        }).isInstanceOf(NotFoundException.class).hasNoSuppressedExceptions();
        assertThatThrownBy(() -> client.getSandbox(name)).isInstanceOf(NotFoundException.class);
    }

    @Test
    void aSessionWhoseSandboxWasRemovedClosesQuietly() {
        String name = uniqueName("gone");
        try (SandboxSession sb = client.sandbox(name)) {
            client.removeSandbox(name);
            assertThatThrownBy(sb::info).isInstanceOf(NotFoundException.class);
        }
    }

    @Test
    void aNameInUseIsAConflictAndTheExistingSandboxStays() {
        String name = uniqueName("taken");
        try (SandboxSession first = client.sandbox(name)) {
            assertThatThrownBy(() -> client.sandbox(name)).isInstanceOf(ConflictException.class);
            assertThat(first.info().running()).as("the failed second session did not remove the first").isTrue();
        }
    }

    @Test
    void asyncSessionsAreRemovedByCloseAndByWithSandboxOnFailure() {
        String name = uniqueName("async-session");
        try (AsyncSandboxSession sb = async.sandbox(name, SandboxOptions.defaults()).join()) {
            assertThat(sb.run(List.of("echo", "hi")).join().output()).isEqualTo("hi\n");
            assertThat(sb.info().join().name()).isEqualTo(name);
        }
        assertThatThrownBy(() -> client.getSandbox(name)).isInstanceOf(NotFoundException.class);

        String other = uniqueName("async-fails");
        CompletableFuture<RunResult> failed = async.withSandbox(other, SandboxOptions.defaults(),
                sb -> sb.run(List.of("true")).thenCompose(r -> sb.readFile("/missing")).thenApply(f -> (RunResult) null));
        assertThatThrownBy(failed::join).cause().isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> client.getSandbox(other)).isInstanceOf(NotFoundException.class);

        String closed = uniqueName("async-close");
        AsyncSandboxSession sb = async.sandbox(closed, SandboxOptions.defaults()).join();
        sb.closeAsync().join();
        sb.closeAsync().join(); // idempotent
        assertThatThrownBy(() -> client.getSandbox(closed)).isInstanceOf(NotFoundException.class);
    }
}
