package dev.agentkernel.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Background processes through the SDK (blocking, async, sub-client and sessions) against the real daemon. */
class BackgroundProcessesIT extends DaemonTestBase {

    @Test
    void startFollowStatusLogsAndKillThroughTheBlockingClient() throws Exception {
        try (SandboxSession sb = client.sandbox(uniqueName("bg"))) {
            BackgroundProcess started = client.sandboxes().execDetached(sb.name(),
                    List.of("sh", "-c", "echo one; sleep 1; echo $K >&2; exit 5"), ExecOptions.defaults().withEnv("K", "two"));
            assertThat(started.running()).isTrue();
            assertThat(started.pid()).isPositive();
            assertThat(started.sandbox()).isEqualTo(sb.name());
            assertThat(started.exitCode()).isEmpty();

            List<StreamEvent> events = new ArrayList<>();
            BackgroundProcess whileRunning = null;
            try (EventStream stream = client.followDetached(sb.name(), started.id())) {
                for (StreamEvent e : stream) {
                    events.add(e);
                    if (whileRunning == null && e instanceof StreamEvent.Output) {
                        whileRunning = client.detached(sb.name(), started.id());
                    }
                }
            }
            assertThat(whileRunning).isNotNull();
            assertThat(whileRunning.status()).as("status when the first output came").isEqualTo(BackgroundProcess.Status.RUNNING);
            assertThat(events).filteredOn(StreamEvent.Output.class::isInstance).containsExactly(
                    new StreamEvent.Output("stdout", "one\n"), new StreamEvent.Output("stderr", "two\n"));
            assertThat(events.getLast()).isEqualTo(new StreamEvent.Done(5, Optional.empty()));

            BackgroundProcess ended = sb.detached(started.id());
            assertThat(ended.status()).isEqualTo(BackgroundProcess.Status.FAILED);
            assertThat(ended.exitCode()).contains(5);
            assertThat(ended.endedAt()).isPresent();
            BackgroundLogs logs = sb.detachedLogs(started.id());
            assertThat(logs.stdout()).contains("one\n");
            assertThat(logs.stderr()).contains("two\n");
            assertThat(logs.stdoutDropped()).isZero();

            BackgroundProcess sleeper = sb.execDetached(List.of("sleep", "1005"), ExecOptions.defaults());
            assertThat(client.sandboxes().detached(sb.name())).extracting(BackgroundProcess::id)
                    .containsExactly(started.id(), sleeper.id());
            assertThat(sb.killDetached(sleeper.id())).contains(sleeper.id());
            BackgroundProcess killed = client.detached(sb.name(), sleeper.id());
            assertThat(killed.status()).isEqualTo(BackgroundProcess.Status.FAILED);
            assertThat(killed.signal()).contains(9);
            assertThat(killed.exitCode()).contains(137);

            assertThatThrownBy(() -> client.detached(sb.name(), "no-such")).isInstanceOf(NotFoundException.class);
            assertThatThrownBy(() -> client.execDetached(sb.name(), List.of("true"),
                    ExecOptions.defaults().withWorkdir("/no/such/dir"))).isInstanceOf(ValidationException.class);
            client.stopSandbox(sb.name());
            assertThatThrownBy(() -> client.listDetached(sb.name())).isInstanceOf(ConflictException.class);
        }
        assertThatThrownBy(() -> client.listDetached(uniqueName("none"))).isInstanceOf(NotFoundException.class);
    }

    @Test
    void theAsyncClientStartsFollowsAndKills() throws Exception {
        try (SandboxSession sb = client.sandbox(uniqueName("bga"))) {
            BackgroundProcess p = async.execDetached(sb.name(), List.of("sh", "-c", "for i in 1 2 3; do echo $i; sleep 0.2; done"),
                    ExecOptions.defaults()).get(30, TimeUnit.SECONDS);
            List<StreamEvent> events = new ArrayList<>();
            StreamEvent.Done done = async.followDetached(sb.name(), p.id(), events::add).get(30, TimeUnit.SECONDS);
            assertThat(done.exitCode()).isZero();
            assertThat(async.detached(sb.name(), p.id()).get(30, TimeUnit.SECONDS).status())
                    .isEqualTo(BackgroundProcess.Status.COMPLETED);
            assertThat(async.detachedLogs(sb.name(), p.id()).get(30, TimeUnit.SECONDS).stdout()).contains("1\n2\n3\n");
            BackgroundProcess sleeper = async.execDetached(sb.name(), List.of("sleep", "1006"), ExecOptions.defaults())
                    .get(30, TimeUnit.SECONDS);
            assertThat(async.listDetached(sb.name()).get(30, TimeUnit.SECONDS)).hasSize(2);
            CompletableFuture<String> killed = async.killDetached(sb.name(), sleeper.id());
            assertThat(killed.get(30, TimeUnit.SECONDS)).contains(sleeper.id());
            assertThat(client.detached(sb.name(), sleeper.id()).running()).isFalse();
        }
    }
}
