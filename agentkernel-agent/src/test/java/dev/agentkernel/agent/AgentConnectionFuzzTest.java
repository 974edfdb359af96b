package dev.agentkernel.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.agentkernel.agent.AgentProtocol.Frame;
import dev.agentkernel.model.AgentKernelException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes what {@link AgentConnection} does with the responses it decodes: while an exec, a ping,
 * a stat, a read, a write and a delete wait on channels 1 to 6, mutated response streams arrive
 * and then the agent's output ends. Every operation must end, with a result or one of the
 * model's exceptions ({@link AgentKernelException}): never another exception, never a hang.
 * Seeded and bounded like {@link AgentProtocolFuzzTest} ({@code -Dagentkernel.fuzz.seconds},
 * {@code -Dagentkernel.fuzz.seed}).
 */
class AgentConnectionFuzzTest {

    private static final int[] RESPONSE_TYPES = {AgentProtocol.STARTED, AgentProtocol.STDOUT, AgentProtocol.STDERR,
        AgentProtocol.EXIT, AgentProtocol.FILE_DATA, AgentProtocol.FILE_END, AgentProtocol.OK, AgentProtocol.STAT_RESULT,
        AgentProtocol.PONG, AgentProtocol.WINDOW_RSP, AgentProtocol.ERROR};
    private static final int OPERATIONS = 6;

    /** Fails rather than hangs: the fuzzing time plus 60 s. */
    @Test
    void everyOperationEndsWithAResultOrTheModelsExceptionWhateverTheAgentAnswers() {
        long seconds = FrameMutator.seconds(3);
        assertTimeoutPreemptively(Duration.ofSeconds(seconds + 60), () -> fuzz(seconds));
    }

    private void fuzz(long seconds) throws Exception {
        long seed = FrameMutator.seed();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        FrameMutator m = new FrameMutator(new Random(seed));
        List<byte[]> corpus = AgentProtocolFuzzTest.responseCorpus();
        long cases = 0;
        for (byte[] input : FrameMutator.corpus("fuzz/connection-regressions.hex")) {
            check(input, seed, cases++);
        }
        int first = (int) cases;
        while (System.nanoTime() < deadline || cases < first + corpus.size()) {
            byte[] input = cases < first + corpus.size() ? corpus.get((int) cases - first) : m.nextInt(4) == 0
                    ? m.mutateRaw(corpus.get(m.nextInt(corpus.size())))
                    : FrameMutator.encode(m.mutateFrames(FrameMutator.frames(corpus.get(m.nextInt(corpus.size()))), corpus,
                            RESPONSE_TYPES, 1 << 12));
            check(input, seed, cases++);
        }
        System.out.println("AgentConnectionFuzzTest: " + cases + " response streams, seed " + seed);
        assertThat(cases).isGreaterThan(corpus.size());
    }

    private static void check(byte[] input, long seed, long n) throws Exception {
        Pipe responses = Pipe.open();
        RequestLog requests = new RequestLog();
        AgentConnection connection = new AgentConnection(requests, Channels.newInputStream(responses.source()));
        List<CompletableFuture<Object>> operations = new ArrayList<>();
        // One at a time, so that each gets the next channel (1 to 6) before the responses come.
        List<Callable<Object>> calls = List.of(
                () -> connection.exec(ExecRequest.of("true"), OutputSink.discard()).await(),
                connection::ping,
                () -> connection.stat("/s"),
                () -> connection.readFile("/r"),
                () -> connection.writeFile("/w", new ByteArrayInputStream(new byte[] {1, 2, 3}), 0644),
                () -> {
                    connection.deleteFile("/d");
                    return "deleted";
                });
        for (Callable<Object> call : calls) {
            int before = requests.frames();
            CompletableFuture<Object> op = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try {
                    op.complete(call.call());
                } catch (Throwable t) {
                    op.completeExceptionally(t);
                }
            });
            operations.add(op);
            requests.awaitMore(before, op);
        }
        try (OutputStream agentOutput = Channels.newOutputStream(responses.sink())) {
            agentOutput.write(input);
        } catch (IOException e) {
            // the connection stopped reading (a malformed frame): fine
        }
        for (int i = 0; i < operations.size(); i++) {
            try {
                operations.get(i).get(10, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                fail("operation " + (i + 1) + " did not end within 10 s after the agent's output ended (input " + n
                        + " of seed " + seed + ", kept in " + FrameMutator.keep("connection-" + seed + "-" + n, input) + "): "
                        + HexFormat.of().formatHex(input));
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof AgentKernelException)) {
                    fail("operation " + (i + 1) + " threw " + e.getCause() + " (input " + n + " of seed " + seed + ", kept in "
                            + FrameMutator.keep("connection-" + seed + "-" + n, input) + "): " + HexFormat.of().formatHex(input),
                            e.getCause());
                }
            }
        }
        connection.close();
    }

    /** The client's requests: only counted (frames whose header arrived), to know that an operation has its channel. */
    private static final class RequestLog extends OutputStream {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        @Override
        public synchronized void write(int b) {
            bytes.write(b);
            notifyAll();
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            bytes.write(b, off, len);
            notifyAll();
        }

        synchronized int frames() {
            int count = 0;
            try (var in = new ByteArrayInputStream(bytes.toByteArray())) {
                while (Frame.readFrom(in, Integer.MAX_VALUE - 16) != null) {
                    count++;
                }
            } catch (IOException partial) {
                // a frame being written
            }
            return count;
        }

        /** Waits until a frame more than {@code before} was sent, or {@code op} ended. */
        synchronized void awaitMore(int before, CompletableFuture<Object> op) throws InterruptedException {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (frames() <= before && !op.isDone()) {
                long left = TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime());
                if (left <= 0) {
                    fail("an operation sent no request within 10 s");
                }
                wait(Math.min(left, 50));
            }
        }
    }

}
