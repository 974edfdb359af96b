package dev.agentkernel.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.agentkernel.agent.AgentProtocol.Frame;
import dev.agentkernel.agent.AgentProtocol.MalformedFrameException;
import dev.agentkernel.agent.AgentProtocol.Request;
import dev.agentkernel.agent.AgentProtocol.Response;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the Java end of the frame codec: {@link Frame#readFrom} and every response (and
 * request) parser get random and mutated bytes, and may only return frames or throw the
 * protocol's own {@link MalformedFrameException}: never another exception, never allocate
 * what a header merely claims, never hang. Seeded and bounded: a few seconds by default,
 * {@code -Dagentkernel.fuzz.seconds=600 -Dagentkernel.fuzz.seed=N} to run longer or reproduce.
 */
class AgentProtocolFuzzTest {

    private static final int[] RESPONSE_TYPES = {AgentProtocol.STARTED, AgentProtocol.STDOUT, AgentProtocol.STDERR,
        AgentProtocol.EXIT, AgentProtocol.FILE_DATA, AgentProtocol.FILE_END, AgentProtocol.OK, AgentProtocol.STAT_RESULT,
        AgentProtocol.PONG, AgentProtocol.WINDOW_RSP, AgentProtocol.ERROR};
    private static final int[] REQUEST_TYPES = {AgentProtocol.EXEC, AgentProtocol.STDIN, AgentProtocol.RESIZE,
        AgentProtocol.SIGNAL, AgentProtocol.READ_FILE, AgentProtocol.WRITE_FILE, AgentProtocol.WRITE_DATA,
        AgentProtocol.WRITE_END, AgentProtocol.DELETE_FILE, AgentProtocol.STAT, AgentProtocol.PING,
        AgentProtocol.WINDOW_REQ, AgentProtocol.CANCEL};
    /** Slack for what decoding may allocate beyond a small multiple of the input (buffers, strings, exceptions). */
    private static final long ALLOCATION_SLACK = 128 * 1024;

    /** Response streams as the agent sends them: every type, one stream per conversation. */
    static List<byte[]> responseCorpus() {
        List<byte[]> seeds = new ArrayList<>();
        seeds.add(FrameMutator.encode(List.of(new Response.Started(1, 4242).toFrame(),
                new Response.Stdout(1, "out\n".getBytes()).toFrame(), new Response.Stderr(1, "err\n".getBytes()).toFrame(),
                new Response.Window(1, 6).toFrame(), new Response.Exit(1, 3, 0).toFrame())));
        seeds.add(FrameMutator.encode(List.of(new Response.Started(2, 7).toFrame(), new Response.Exit(2, -1, 9).toFrame())));
        seeds.add(FrameMutator.encode(List.of(new Response.FileData(3, new byte[300]).toFrame(),
                new Response.FileEnd(3, 300, 0644).toFrame())));
        seeds.add(FrameMutator.encode(List.of(new Response.Ok(4, 12).toFrame(),
                new Response.StatResult(5, 1, 12, 0644, 1_700_000_000_000L).toFrame())));
        seeds.add(FrameMutator.encode(List.of(new Response.Pong(6, new byte[] {1, 2, 3}).toFrame(),
                new Response.Error(7, 2, "cannot open /x: No such file or directory").toFrame(),
                new Response.Error(0, 71, "unknown request type 0x55").toFrame())));
        return seeds;
    }

    /** Fails rather than hangs: the fuzzing time plus 60 s. */
    @Test
    void decodingMutatedAndRandomBytesOnlyEverThrowsMalformedFrameException() {
        long seconds = FrameMutator.seconds(3);
        assertTimeoutPreemptively(Duration.ofSeconds(seconds + 60), () -> fuzz(seconds));
    }

    private void fuzz(long seconds) throws Exception {
        long seed = FrameMutator.seed();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        FrameMutator m = new FrameMutator(new Random(seed));
        List<byte[]> responses = responseCorpus();
        List<byte[]> requests = FrameMutator.corpus("fuzz/agent-requests.hex");
        List<byte[]> regressions = FrameMutator.corpus("fuzz/protocol-regressions.hex");
        long cases = 0;
        for (byte[] input : regressions) {
            check(input, seed, cases++, false);
        }
        for (byte[] input : responses) {
            check(input, seed, cases++, false);
        }
        while (System.nanoTime() < deadline) {
            byte[] input = switch (m.nextInt(4)) {
                case 0 -> m.mutateRaw(responses.get(m.nextInt(responses.size())));
                case 1 -> FrameMutator.encode(m.mutateFrames(FrameMutator.frames(requests.get(m.nextInt(requests.size()))),
                        requests, REQUEST_TYPES, 1 << 16));
                case 2 -> {
                    byte[] r = new byte[m.nextInt(64)];
                    for (int i = 0; i < r.length; i++) {
                        r[i] = (byte) m.nextInt(256);
                    }
                    yield r;
                }
                default -> FrameMutator.encode(m.mutateFrames(FrameMutator.frames(responses.get(m.nextInt(responses.size()))),
                        responses, RESPONSE_TYPES, 1 << 16));
            };
            check(input, seed, cases++, m.nextInt(8) == 0);
        }
        System.out.println("AgentProtocolFuzzTest: " + cases + " inputs, seed " + seed);
        assertThat(cases).isGreaterThan(responses.size());
    }

    /** A frame header that claims the largest payload allowed, then ends: nothing near that size is allocated. */
    @Test
    void aClaimedPayloadIsNotAllocatedBeforeItArrives() throws Exception {
        byte[] header = HexFormat.of().parseHex("820000000100100000");   // STDOUT, channel 1, length 1 MiB (the limit)
        for (int round = 0; round < 2; round++) {   // the first round loads and links classes
            long before = allocated();
            try {
                Frame.readFrom(new PipeStream(header, false), AgentProtocol.MAX_RESPONSE_PAYLOAD);
                fail("a truncated frame was accepted");
            } catch (MalformedFrameException expected) {
                assertThat(expected).hasMessageContaining("stream ended inside a frame payload");
            }
            if (round == 1) {
                assertThat(allocated() - before).isLessThan(ALLOCATION_SLACK);
            }
        }
    }

    private static void check(byte[] input, long seed, long n, boolean trickle) {
        long used = decode(input, seed, n, trickle);
        if (used > ALLOCATION_SLACK + 16L * input.length) {
            used = decode(input, seed, n, trickle);   // again, without the first use's class loading and linking
        }
        if (used > ALLOCATION_SLACK + 16L * input.length) {
            fail("decoding " + input.length + " bytes (input " + n + " of seed " + seed + ") allocated " + used + " bytes: "
                    + HexFormat.of().formatHex(input));
        }
    }

    /** Decodes everything in {@code input}; returns the bytes this thread allocated meanwhile. */
    private static long decode(byte[] input, long seed, long n, boolean trickle) {
        long before = allocated();
        try {
            InputStream in = new PipeStream(input, trickle);
            for (Frame f; (f = Frame.readFrom(in, AgentProtocol.MAX_RESPONSE_PAYLOAD)) != null; ) {
                try {
                    Response.fromFrame(f);
                } catch (MalformedFrameException expected) {
                    // the protocol's own failure: fine
                }
                try {
                    Request.fromFrame(f);
                } catch (MalformedFrameException expected) {
                    // the protocol's own failure: fine
                }
            }
        } catch (MalformedFrameException expected) {
            // fine
        } catch (Throwable t) {
            fail("decoding input " + n + " of seed " + seed + " (kept in " + FrameMutator.keep("protocol-" + seed + "-" + n, input)
                    + ") threw " + t + ": " + HexFormat.of().formatHex(input), t);
        }
        return allocated() - before;
    }

    private static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    /** Bytes as a pipe delivers them: no knowledge of the total, and (trickle) one byte per read. */
    private static final class PipeStream extends InputStream {
        private final byte[] data;
        private final boolean trickle;
        private int at;

        PipeStream(byte[] data, boolean trickle) {
            this.data = data;
            this.trickle = trickle;
        }

        @Override
        public int read() {
            return at < data.length ? data[at++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (at >= data.length) {
                return -1;
            }
            int n = Math.min(trickle ? 1 : len, data.length - at);
            System.arraycopy(data, at, b, off, n);
            at += n;
            return n;
        }
    }
}
