package dev.agentkernel.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentkernel.testing.HostProcesses;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Streaming against the real daemon: live events, and leaving early kills the command. */
class StreamingIT extends DaemonTestBase {

    @Test
    void eventsArriveTypedAndInOrder() {
        List<StreamEvent> events = new ArrayList<>();
        try (EventStream stream = client.runStream(List.of("sh", "-c", "echo out; echo err >&2; exit 2"))) {
            for (StreamEvent e : stream) {
                events.add(e);
            }
        }
        assertThat(events.getFirst()).isInstanceOfAny(StreamEvent.Started.class, StreamEvent.Progress.class);
        assertThat(events).filteredOn(StreamEvent.Started.class::isInstance).hasSize(1);
        assertThat(events).filteredOn(StreamEvent.Progress.class::isInstance)
                .extracting(e -> ((StreamEvent.Progress) e).stage()).contains("executing");
        assertThat(events).filteredOn(StreamEvent.Output.class::isInstance).containsExactlyInAnyOrder(
                new StreamEvent.Output("stdout", "out\n"), new StreamEvent.Output("stderr", "err\n"));
        assertThat(events.getLast()).isEqualTo(new StreamEvent.Done(2, Optional.empty()));
    }

    @Test
    void outputArrivesWhileTheCommandRuns() {
        try (EventStream stream = client.runStream(List.of("sh", "-c", "echo one; sleep 1.5; echo two"),
                RunOptions.defaults().withTimeout(Duration.ofSeconds(30)))) {
            long firstAt = 0;
            long secondAt = 0;
            for (StreamEvent e : stream) {
                if (e instanceof StreamEvent.Output o && o.text().contains("one")) {
                    firstAt = System.nanoTime();
                } else if (e instanceof StreamEvent.Output o && o.text().contains("two")) {
                    secondAt = System.nanoTime();
                }
            }
            assertThat(firstAt).isPositive();
            assertThat(Duration.ofNanos(secondAt - firstAt)).as("'one' came before the command slept")
                    .isGreaterThan(Duration.ofMillis(1000));
        }
    }

    @Test
    void aStreamOutlivesTheClientTimeout() {
        try (AgentKernel quick = client.withTimeout(Duration.ofMillis(800));
             EventStream stream = quick.runStream(List.of("sh", "-c", "sleep 2; echo late"))) {
            assertThat(stream.stream().toList()).contains(new StreamEvent.Output("stdout", "late\n"))
                    .endsWith(new StreamEvent.Done(0, Optional.empty()));
        }
    }

    @Test
    void aTimedOutCommandEndsItsStreamWith124() {
        try (EventStream stream = client.runStream(List.of("sleep", "30"),
                RunOptions.defaults().withTimeout(Duration.ofMillis(600)))) {
            StreamEvent last = stream.stream().reduce((a, b) -> b).orElseThrow();
            assertThat(last).isInstanceOfSatisfying(StreamEvent.Done.class, d -> {
                assertThat(d.exitCode()).isEqualTo(124);
                assertThat(d.reason()).hasValueSatisfying(r -> assertThat(r).contains("timed out"));
            });
        }
    }

    @Test
    void closingAStreamEarlyKillsTheCommand() throws Exception {
        String marker = "317.2" + ProcessHandle.current().pid();
        EventStream stream = client.runStream(List.of("sh", "-c", "echo start; while :; do sleep " + marker + "; done"));
        Iterator<StreamEvent> it = stream.iterator();
        StreamEvent e;
        do {
            e = it.next();
        } while (!(e instanceof StreamEvent.Output));
        assertThat(((StreamEvent.Output) e).text()).isEqualTo("start\n");
        assertThat(HostProcesses.awaitOneMentioning(marker, Duration.ofSeconds(5))).as("the command runs").isTrue();

        stream.close();
        assertThat(it.hasNext()).isFalse();
        assertThat(HostProcesses.awaitNoneMentioning(marker, Duration.ofSeconds(10)))
                .as("processes of the command after the stream was closed").isEmpty();
    }

    @Test
    void closingAJavaStreamEarlyKillsTheCommand() throws Exception {
        String marker = "318.4" + ProcessHandle.current().pid();
        try (var events = client.runStream(List.of("sh", "-c", "while :; do echo tick; sleep " + marker + "; done"))
                .stream()) {
            assertThat(events.filter(StreamEvent.Output.class::isInstance).findFirst()).isPresent();
            assertThat(HostProcesses.awaitOneMentioning(marker, Duration.ofSeconds(5))).isTrue();
        }
        assertThat(HostProcesses.awaitNoneMentioning(marker, Duration.ofSeconds(10))).isEmpty();
    }

    @Test
    void asyncStreamingDeliversEveryEvent() {
        List<StreamEvent> seen = new CopyOnWriteArrayList<>();
        StreamEvent.Done done = async.runStream(List.of("sh", "-c", "echo a; echo b"), RunOptions.defaults(), seen::add)
                .join();
        assertThat(done.exitCode()).isZero();
        assertThat(seen.getLast()).isEqualTo(done);
        assertThat(seen.stream().filter(StreamEvent.Output.class::isInstance).map(o -> ((StreamEvent.Output) o).text())
                .reduce("", String::concat)).isEqualTo("a\nb\n");
    }

    @Test
    void cancellingAnAsyncStreamKillsTheCommand() throws Exception {
        String marker = "319.6" + ProcessHandle.current().pid();
        CountDownLatch output = new CountDownLatch(1);
        CompletableFuture<StreamEvent.Done> f = async.runStream(
                List.of("sh", "-c", "echo start; sleep " + marker), RunOptions.defaults(), e -> {
                    if (e instanceof StreamEvent.Output) {
                        output.countDown();
                    }
                });
        assertThat(output.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(HostProcesses.awaitOneMentioning(marker, Duration.ofSeconds(5))).isTrue();
        f.cancel(true);
        assertThat(HostProcesses.awaitNoneMentioning(marker, Duration.ofSeconds(10)))
                .as("processes of the command after the future was cancelled").isEmpty();
        assertThatThrownBy(f::join).isInstanceOf(java.util.concurrent.CancellationException.class);
    }

    @Test
    void anInvalidRequestFailsBeforeTheStream() {
        assertThatThrownBy(() -> client.runStream(List.of())).isInstanceOf(ValidationException.class)
                .hasMessageContaining("command must not be empty");
        assertThatThrownBy(() -> async.runStream(List.of(), RunOptions.defaults(), e -> { }).join())
                .cause().isInstanceOf(ValidationException.class);
    }
}
