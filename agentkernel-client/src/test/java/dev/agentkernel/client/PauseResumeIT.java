package dev.agentkernel.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Pause and resume through the SDK against the real daemon: blocking, async, sub-client and sessions. */
class PauseResumeIT extends DaemonTestBase {

    @Test
    void sandboxesPauseAndResumeKeepingTheirMemory() {
        String name = uniqueName("pause");
        try (SandboxSession sb = client.sandbox(name)) {
            sb.run(List.of("sh", "-c", "echo 41 > /tmp/n"));
            SandboxInfo paused = client.sandboxes().pause(name);
            assertThat(paused.paused()).isTrue();
            assertThat(paused.running()).isFalse();
            assertThat(paused.status()).isEqualTo("paused");
            assertThat(sb.info().paused()).isTrue();
            assertThat(client.listSandboxes()).filteredOn(s -> s.name().equals(name)).extracting(SandboxInfo::status)
                    .containsExactly("paused");
            assertThat(sb.pause().paused()).as("idempotent").isTrue();
            assertThat(sb.resume().running()).isTrue();
            assertThat(client.sandboxes().resume(name).running()).as("idempotent").isTrue();
            // an exec resumes a paused sandbox (the daemon's default)
            assertThat(client.pauseSandbox(name).paused()).isTrue();
            assertThat(sb.run(List.of("cat", "/tmp/n")).output()).isEqualTo("41\n");
            assertThat(sb.info().running()).isTrue();
            assertThat(sb.logs()).extracting(AuditEvent::event).contains("sandbox_paused", "sandbox_resumed");

            assertThat(async.pauseSandbox(name).join().paused()).isTrue();
            assertThat(async.resumeSandbox(name).join().running()).isTrue();
            client.stopSandbox(name);
            assertThatThrownBy(() -> client.pauseSandbox(name)).isInstanceOf(ConflictException.class);
        }
        assertThatThrownBy(() -> client.resumeSandbox(name)).isInstanceOf(NotFoundException.class);
    }

    @Test
    void asyncSessionsPauseAndResume() {
        String name = uniqueName("async-pause");
        try (AsyncSandboxSession sb = async.sandbox(name, SandboxOptions.defaults()).join()) {
            assertThat(sb.pause().join().paused()).isTrue();
            assertThat(sb.resume().join().running()).isTrue();
            assertThat(sb.run(List.of("echo", "hi")).join().output()).isEqualTo("hi\n");
        }
    }
}
