package dev.agentkernel.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentkernel.agent.AgentProtocol.Errno;
import dev.agentkernel.agent.AgentProtocol.Frame;
import dev.agentkernel.agent.AgentProtocol.Request;
import dev.agentkernel.agent.AgentProtocol.Response;
import dev.agentkernel.model.InvalidRequestException;
import dev.agentkernel.model.NotFoundException;
import dev.agentkernel.model.SandboxFailureException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The client against a scripted fake agent: demultiplexing, flow control, error mapping, failures. */
@Timeout(20)
class AgentConnectionTest {

    /** A fake agent on two pipes: answers each request through a script, records them all. */
    static final class FakeAgent implements AutoCloseable {
        final BlockingQueue<Request> received = new LinkedBlockingQueue<>();
        final OutputStream toClient;
        final AgentConnection connection;
        private final InputStream fromClient;

        FakeAgent(Function<Request, List<Response>> script) throws IOException {
            Pipe requests = Pipe.open();
            Pipe responses = Pipe.open();
            fromClient = Channels.newInputStream(requests.source());
            toClient = Channels.newOutputStream(responses.sink());
            connection = new AgentConnection(Channels.newOutputStream(requests.sink()), Channels.newInputStream(responses.source()));
            Thread.ofVirtual().start(() -> {
                try {
                    Frame f;
                    while ((f = Frame.readFrom(fromClient, AgentProtocol.MAX_REQUEST_PAYLOAD)) != null) {
                        Request r = Request.fromFrame(f);
                        received.add(r);
                        for (Response response : script.apply(r)) {
                            send(response);
                        }
                    }
                    toClient.close();
                } catch (IOException e) {
                    // the test closed the pipes
                }
            });
        }

        synchronized void send(Response response) throws IOException {
            response.toFrame().writeTo(toClient);
            toClient.flush();
        }

        synchronized void sendRaw(byte[] bytes) throws IOException {
            toClient.write(bytes);
            toClient.flush();
        }

        <T extends Request> T next(Class<T> type) throws InterruptedException {
            while (true) {
                Request r = received.poll(10, TimeUnit.SECONDS);
                assertThat(r).as("a " + type.getSimpleName() + " request").isNotNull();
                if (type.isInstance(r)) {
                    return type.cast(r);
                }
            }
        }

        @Override
        public void close() {
            connection.close();
        }
    }

    private FakeAgent agent;

    @AfterEach
    void closeAgent() {
        if (agent != null) {
            agent.close();
        }
    }

    private static List<Response> errorFor(Request r, int errno) {
        return List.of(new Response.Error(r.channel(), errno, "agent says errno " + errno));
    }

    @Test
    void fileErrorsBecomeTheModelsExceptionsWithReadableMessages() throws IOException {
        agent = new FakeAgent(r -> switch (r) {
            case Request.Stat s when s.path().equals("/tmp/x") -> errorFor(r, Errno.ENOENT);
            case Request.Stat s when s.path().equals("/tmp") -> errorFor(r, Errno.EISDIR);
            case Request.Stat s when s.path().equals("/etc/hostname/x") -> errorFor(r, Errno.ENOTDIR);
            case Request.Stat s when s.path().equals("/dev/zero") -> List.of(new Response.Error(r.channel(), Errno.EINVAL, "/dev/zero is not a regular file"));
            case Request.Stat s when s.path().equals("/root/secret") -> errorFor(r, Errno.EACCES);
            case Request.Stat s -> errorFor(r, 5);
            default -> List.of();
        });
        AgentConnection c = agent.connection;
        assertThatThrownBy(() -> c.stat("/tmp/x")).isInstanceOf(NotFoundException.class).hasMessage("no such file: /tmp/x");
        assertThatThrownBy(() -> c.stat("/tmp")).isInstanceOf(InvalidRequestException.class).hasMessage("is a directory: /tmp");
        assertThatThrownBy(() -> c.stat("/etc/hostname/x")).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("not a directory");
        assertThatThrownBy(() -> c.stat("/dev/zero")).isInstanceOf(InvalidRequestException.class)
                .hasMessage("/dev/zero is not a regular file");
        assertThatThrownBy(() -> c.stat("/root/secret")).isInstanceOf(dev.agentkernel.model.PermissionDeniedException.class)
                .hasMessage("permission denied: /root/secret may not be accessed in this sandbox");
        assertThatThrownBy(() -> c.stat("/other")).isInstanceOf(SandboxFailureException.class).hasMessage("agent says errno 5");
        assertThatThrownBy(() -> c.stat("")).isInstanceOf(InvalidRequestException.class);
    }

    @Test
    void execErrorsNameTheProgram() throws IOException {
        agent = new FakeAgent(r -> r instanceof Request.Exec
                ? List.of(new Response.Error(r.channel(), Errno.ENOENT, "command not found: nope")) : List.of());
        assertThatThrownBy(() -> agent.connection.exec(ExecRequest.of("nope"), OutputSink.discard()))
                .isInstanceOf(NotFoundException.class).hasMessage("command not found: nope");
    }

    /**
     * Found by AgentConnectionFuzzTest: an EXIT before STARTED made the EXIT forget the channel,
     * so exec() waited for STARTED forever, even after the agent's output ended.
     */
    @Test
    void anExitBeforeTheStartFailsTheExecInsteadOfHangingIt() throws Exception {
        agent = new FakeAgent(r -> switch (r) {
            case Request.Exec e -> List.of(new Response.Exit(e.channel(), 3, 0));
            case Request.Ping p -> List.of(new Response.Pong(p.channel(), p.data()));
            default -> List.of();
        });
        assertThatThrownBy(() -> agent.connection.exec(ExecRequest.of("x"), OutputSink.discard()))
                .isInstanceOf(SandboxFailureException.class)
                .hasMessageContaining("reported the end of the command on channel 1 before its start");
        assertThat(agent.connection.ping()).isNotNull();   // the connection itself stays usable
    }

    @Test
    void outputIsDeliveredInOrderAndAcknowledgedPerChannel() throws Exception {
        agent = new FakeAgent(r -> switch (r) {
            case Request.Exec e -> List.of(new Response.Started(e.channel(), 42),
                    new Response.Stdout(e.channel(), bytes("one ")),
                    new Response.Stderr(e.channel(), bytes("warn")),
                    new Response.Stdout(e.channel(), bytes("two")),
                    new Response.Exit(e.channel(), 3, 0));
            default -> List.of();
        });
        List<String> seen = new CopyOnWriteArrayList<>();
        ExecHandle h = agent.connection.exec(ExecRequest.of("x"),
                (kind, b, off, len) -> seen.add(kind.id() + ":" + new String(b, off, len, StandardCharsets.UTF_8)));
        assertThat(h.pid()).isEqualTo(42);
        assertThat(h.await()).isEqualTo(new ExitStatus.Exited(3));
        assertThat(seen).containsExactly("stdout:one ", "stderr:warn", "stdout:two");
        int acked = 0;
        for (int i = 0; i < 3; i++) {
            acked += agent.next(Request.Window.class).bytes();
        }
        assertThat(acked).isEqualTo(4 + 4 + 3);
    }

    @Test
    void signalledExitIsReportedAsSignal() throws Exception {
        agent = new FakeAgent(r -> r instanceof Request.Exec e
                ? List.of(new Response.Started(e.channel(), 7), new Response.Exit(e.channel(), -1, 9)) : List.of());
        ExitStatus status = agent.connection.exec(ExecRequest.of("x"), OutputSink.discard()).await();
        assertThat(status).isEqualTo(new ExitStatus.Signaled(9));
        assertThat(status.exitCode()).isEqualTo(137);
    }

    @Test
    void stdinNeverExceedsTheWindowUntilTheAgentAcknowledges() throws Exception {
        agent = new FakeAgent(r -> r instanceof Request.Exec e ? List.of(new Response.Started(e.channel(), 1)) : List.of());
        ExecHandle h = agent.connection.exec(ExecRequest.of("cat"), OutputSink.discard());
        byte[] data = new byte[AgentProtocol.WINDOW + 10];
        Thread writer = Thread.ofVirtual().start(() -> h.writeStdin(data));
        long received = 0;
        while (received < AgentProtocol.WINDOW) {
            received += agent.next(Request.Stdin.class).data().length;
        }
        assertThat(received).isEqualTo(AgentProtocol.WINDOW);
        assertThat(agent.received.poll(300, TimeUnit.MILLISECONDS)).as("nothing beyond the window").isNull();
        assertThat(writer.isAlive()).isTrue();
        agent.send(new Response.Window(h.channel(), 4));
        assertThat(agent.next(Request.Stdin.class).data()).hasSize(4);
        agent.send(new Response.Window(h.channel(), 100));
        assertThat(agent.next(Request.Stdin.class).data()).hasSize(6);
        assertThat(writer.join(Duration.ofSeconds(5))).isTrue();
    }

    @Test
    void aMalformedResponseFailsEveryPendingOperation() throws Exception {
        agent = new FakeAgent(r -> r instanceof Request.Exec e ? List.of(new Response.Started(e.channel(), 1)) : List.of());
        ExecHandle running = agent.connection.exec(ExecRequest.of("sleep"), OutputSink.discard());
        agent.sendRaw(new byte[] {0x7f, 0, 0, 0, 1, 0, 0, 0, 0});
        assertThatThrownBy(running::await).isInstanceOf(SandboxFailureException.class).hasMessageContaining("malformed");
        assertThat(agent.connection.isOpen()).isFalse();
        assertThat(agent.connection.protocolViolation()).hasValueSatisfying(v -> assertThat(v).contains("0x7f"));
        assertThatThrownBy(() -> agent.connection.ping()).isInstanceOf(SandboxFailureException.class)
                .hasMessageContaining("malformed");
    }

    @Test
    void anAgentThatExitsFailsRunningCommands() throws Exception {
        agent = new FakeAgent(r -> r instanceof Request.Exec e ? List.of(new Response.Started(e.channel(), 1)) : List.of());
        ExecHandle running = agent.connection.exec(ExecRequest.of("sleep"), OutputSink.discard());
        agent.toClient.close();
        assertThat(agent.connection.protocolViolation()).as("an agent that exits broke no protocol").isEmpty();
        assertThatThrownBy(running::await).isInstanceOf(SandboxFailureException.class).hasMessageContaining("exited");
    }

    @Test
    void readFileStreamsChunksAcknowledgesThemAndReturnsTheSize() throws Exception {
        agent = new FakeAgent(r -> r instanceof Request.ReadFile f
                ? List.of(new Response.FileData(f.channel(), bytes("hello ")), new Response.FileData(f.channel(), bytes("world")),
                          new Response.FileEnd(f.channel(), 11, 0644))
                : List.of());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(agent.connection.readFile("/f", out)).isEqualTo(11);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("hello world");
        assertThat(agent.next(Request.Window.class).bytes()).isEqualTo(6);
    }

    @Test
    void writeFileSendsChunksThenEndAndStopsEarlyOnError() throws Exception {
        List<Request> writes = new ArrayList<>();
        agent = new FakeAgent(r -> {
            synchronized (writes) {
                writes.add(r);
            }
            return switch (r) {
                case Request.WriteFile w when w.path().equals("/ro/x") -> List.of(new Response.Error(w.channel(), 30, "read-only file system"));
                case Request.WriteEnd e -> List.of(new Response.Ok(e.channel(), 70_000));
                default -> List.of();
            };
        });
        assertThat(agent.connection.writeFile("/f", new byte[70_000], 0600)).isEqualTo(70_000);
        synchronized (writes) {
            assertThat(writes).hasSize(4);
            assertThat(writes.get(0)).isEqualTo(new Request.WriteFile(writes.get(0).channel(), 0600, "/f"));
            assertThat(((Request.WriteData) writes.get(1)).data()).hasSize(AgentProtocol.CHUNK);
            assertThat(((Request.WriteData) writes.get(2)).data()).hasSize(70_000 - AgentProtocol.CHUNK);
            assertThat(writes.get(3)).isInstanceOf(Request.WriteEnd.class);
        }
        assertThatThrownBy(() -> agent.connection.writeFile("/ro/x", new byte[10 << 20], 0600))
                .isInstanceOf(dev.agentkernel.model.PermissionDeniedException.class)
                .hasMessage("/ro/x is on a read-only file system in this sandbox; write under /workspace or /tmp");
        assertThat(agent.next(Request.Cancel.class)).isNotNull();
        assertThatThrownBy(() -> agent.connection.writeFile("/f", new byte[1], 010000)).isInstanceOf(InvalidRequestException.class);
    }

    @Test
    void closeFailsPendingCallsAndLaterCalls() throws Exception {
        agent = new FakeAgent(r -> List.of());
        CompletableFuture<Duration> ping = CompletableFuture.supplyAsync(agent.connection::ping);
        agent.next(Request.Ping.class);
        agent.connection.close();
        assertThatThrownBy(() -> ping.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(SandboxFailureException.class);
        assertThatThrownBy(() -> agent.connection.stat("/")).isInstanceOf(SandboxFailureException.class)
                .hasMessageContaining("closed");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
