package dev.agentkernel.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link AgentKernel#runStream} against a fake server writing SSE frames in pieces. */
class EventStreamTest extends FakeServerTestBase {

    @Override
    String apiKey() {
        return "sk-1";
    }

    /** Writes {@code text} split in pieces of {@code size} bytes, each flushed (its own chunk), with a pause. */
    static void write(OutputStream out, String text, int size, long pauseMillis) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i += size) {
            out.write(bytes, i, Math.min(size, bytes.length - i));
            out.flush();
            if (pauseMillis > 0) {
                AgentKernelTest.sleep(pauseMillis);
            }
        }
    }

    static List<StreamEvent> all(EventStream events) {
        List<StreamEvent> out = new ArrayList<>();
        for (StreamEvent e : events) {
            out.add(e);
        }
        return out;
    }

    @Test
    void eventsAreTypedInOrderAndTheStreamStopsAtDone() throws Exception {
        server.on("POST", "/run/stream", c -> {
            try (OutputStream out = c.events()) {
                write(out, "event: started\ndata: {\"sandbox\":\"s-1\"}\n\n"
                        + "event: progress\ndata: {\"stage\":\"executing\"}\n\n"
                        + ": keep-alive\n\n"
                        + "event: output\ndata: {\"content\":\"a\\n\",\"data\":\"a\\n\",\"stream\":\"stdout\"}\n\n"
                        + "event: mystery\ndata: {\"x\":1}\n\n"
                        + "event: output\ndata: {\"content\":\"oops\\n\",\"data\":\"oops\\n\",\"stream\":\"stderr\"}\n\n"
                        + "event: done\ndata: {\"exit_code\":3,\"reason\":\"because\"}\n\n"
                        + "event: output\ndata: {\"data\":\"after done\"}\n\n", 7, 1);
            }
        });
        try (EventStream events = client.runStream(List.of("sh", "-c", "x"),
                RunOptions.defaults().withProfile(Profile.MODERATE))) {
            assertThat(all(events)).containsExactly(
                    new StreamEvent.Started("s-1"),
                    new StreamEvent.Progress("executing"),
                    new StreamEvent.Output("stdout", "a\n"),
                    new StreamEvent.Output("stderr", "oops\n"),
                    new StreamEvent.Done(3, Optional.of("because")));
        }
        FakeServer.Request r = server.last();
        assertThat(r.header("Accept")).isEqualTo("text/event-stream");
        assertThat(r.header("Authorization")).isEqualTo("Bearer sk-1");
        assertThat(r.text()).isEqualTo("{\"command\":[\"sh\",\"-c\",\"x\"],\"profile\":\"moderate\",\"fast\":true}");
    }

    @Test
    void theDocumentsOutputShapeAndMultiLineDataAreRead() {
        server.on("POST", "/run/stream", c -> {
            try (OutputStream out = c.events()) {
                write(out, "event: output\ndata: {\"content\":\ndata: \"only content\"}\n\n"
                        + "event: done\r\ndata: {\"exit_code\":0}\r\n\r\n", 3, 0);
            }
        });
        try (EventStream events = client.runStream(List.of("true"))) {
            assertThat(all(events)).containsExactly(new StreamEvent.Output("stdout", "only content"),
                    new StreamEvent.Done(0, Optional.empty()));
        }
    }

    @Test
    void anErrorEventEndsTheStream() {
        server.on("POST", "/run/stream", c -> {
            try (OutputStream out = c.events()) {
                write(out, "event: progress\ndata: {\"stage\":\"creating\"}\n\n"
                        + "event: error\ndata: {\"message\":\"too many sandboxes running\"}\n\n", 100, 0);
            }
        });
        try (EventStream events = client.runStream(List.of("true"))) {
            assertThat(events.stream().toList()).containsExactly(new StreamEvent.Progress("creating"),
                    new StreamEvent.Error("too many sandboxes running"));
        }
    }

    @Test
    void aStreamThatEndsWithoutDoneIsAConnectionFailure() {
        server.on("POST", "/run/stream", c -> {
            try (OutputStream out = c.events()) {
                write(out, "event: output\ndata: {\"data\":\"partial\"}\n\n", 100, 0);
            }
        });
        try (EventStream events = client.runStream(List.of("true"))) {
            Iterator<StreamEvent> it = events.iterator();
            assertThat(it.next()).isEqualTo(new StreamEvent.Output("stdout", "partial"));
            assertThatThrownBy(it::hasNext).isInstanceOf(ConnectionException.class)
                    .hasMessageContaining("ended before its done or error event");
        }
    }

    @Test
    void malformedEventDataIsAServerError() {
        server.on("POST", "/run/stream", c -> {
            try (OutputStream out = c.events()) {
                write(out, "event: done\ndata: not json\n\n", 100, 0);
            }
        });
        try (EventStream events = client.runStream(List.of("true"))) {
            assertThatThrownBy(() -> all(events)).isInstanceOf(ServerException.class)
                    .hasMessageContaining("is malformed");
        }
    }

    @Test
    void anErrorStatusBeforeTheStreamIsMapped() {
        server.on("POST", "/run/stream", c -> c.json(400, "{\"success\":false,\"error\":\"image x is not allowed\"}"));
        assertThatThrownBy(() -> client.runStream(List.of("true"))).isInstanceOf(ValidationException.class)
                .hasMessage("image x is not allowed");
        // What the contract refuses is refused before a request, as the server would refuse it.
        assertThatThrownBy(() -> client.runStream(List.of())).isInstanceOf(ValidationException.class)
                .hasMessageStartingWith("command must not be empty");
    }

    @Test
    void aStreamCanBeIteratedOnce() {
        server.on("POST", "/run/stream", c -> {
            try (OutputStream out = c.events()) {
                write(out, "event: done\ndata: {\"exit_code\":0}\n\n", 100, 0);
            }
        });
        try (EventStream events = client.runStream(List.of("true"))) {
            events.iterator();
            assertThatThrownBy(events::iterator).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(events::stream).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void closingEarlyClosesTheConnection() throws Exception {
        CountDownLatch serverSawTheEnd = new CountDownLatch(1);
        server.on("POST", "/run/stream", c -> {
            OutputStream out = c.events();
            try {
                for (int i = 0; i < 200; i++) { // 10 s unless the client leaves
                    write(out, "event: output\ndata: {\"data\":\"tick " + i + "\\n\"}\n\n", 1000, 0);
                    AgentKernelTest.sleep(50);
                }
            } catch (IOException e) {
                serverSawTheEnd.countDown(); // the write failed: the client closed the connection
            }
        });
        long start = System.nanoTime();
        try (EventStream events = client.runStream(List.of("sh", "-c", "while :; do echo tick; done"))) {
            Iterator<StreamEvent> it = events.iterator();
            assertThat(it.next()).isEqualTo(new StreamEvent.Output("stdout", "tick 0\n"));
            events.close();
            assertThat(it.hasNext()).as("nothing is read after close").isFalse();
        }
        assertThat(serverSawTheEnd.await(5, TimeUnit.SECONDS)).as("the server noticed the client left").isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(6));
    }

    @Test
    void closingFromAnotherThreadEndsAWaitingIteration() throws Exception {
        server.on("POST", "/run/stream", c -> {
            OutputStream out = c.events();
            write(out, "event: started\ndata: {\"sandbox\":\"s\"}\n\n", 1000, 0);
            AgentKernelTest.sleep(10_000); // a silent command
        });
        EventStream events = client.runStream(List.of("sleep", "10"));
        Iterator<StreamEvent> it = events.iterator();
        assertThat(it.next()).isEqualTo(new StreamEvent.Started("s"));
        java.util.concurrent.CompletableFuture<Boolean> waiting = java.util.concurrent.CompletableFuture.supplyAsync(
                it::hasNext);
        Thread.sleep(200);
        assertThat(waiting).isNotDone();
        events.close();
        assertThat(waiting.get(3, TimeUnit.SECONDS)).isFalse();
    }

    @Test
    void closingTheJavaStreamClosesTheEventStream() throws Exception {
        CountDownLatch serverSawTheEnd = new CountDownLatch(1);
        server.on("POST", "/run/stream", c -> {
            OutputStream out = c.events();
            try {
                for (int i = 0; i < 200; i++) {
                    write(out, "event: output\ndata: {\"data\":\"" + i + "\"}\n\n", 1000, 0);
                    AgentKernelTest.sleep(50);
                }
            } catch (IOException e) {
                serverSawTheEnd.countDown();
            }
        });
        try (var events = client.runStream(List.of("yes")).stream()) {
            assertThat(events.limit(2).toList()).hasSize(2);
        }
        assertThat(serverSawTheEnd.await(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void theClientTimeoutBoundsOnlyTheStart() {
        server.on("POST", "/run/stream", c -> {
            try (OutputStream out = c.events()) {
                write(out, "event: started\ndata: {\"sandbox\":\"s\"}\n\n", 1000, 0);
                AgentKernelTest.sleep(1200); // a silent command, longer than the client's timeout
                write(out, "event: done\ndata: {\"exit_code\":0}\n\n", 1000, 0);
            }
        });
        try (AgentKernel quick = client.withTimeout(Duration.ofMillis(500));
             EventStream events = quick.runStream(List.of("sleep", "1"))) {
            assertThat(all(events)).endsWith(new StreamEvent.Done(0, Optional.empty()));
        }
    }

    @Test
    void aSlowStartTimesOut() {
        server.on("POST", "/run/stream", c -> {
            AgentKernelTest.sleep(1500);
            c.events().close();
        });
        AgentKernel quick = client.withTimeout(Duration.ofMillis(300));
        assertThatThrownBy(() -> quick.runStream(List.of("true"))).isInstanceOf(ConnectionException.class)
                .hasMessageContaining("no response to POST /run/stream");
    }
}
