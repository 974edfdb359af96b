package dev.agentkernel.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.agentkernel.agent.AgentProtocol.Frame;
import dev.agentkernel.agent.AgentProtocol.MalformedFrameException;
import dev.agentkernel.agent.AgentProtocol.Request;
import dev.agentkernel.agent.AgentProtocol.Response;
import dev.agentkernel.testing.SandboxHost;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzes the C end of the frame codec: the real agent binary, in a bubblewrap sandbox (mutated
 * EXEC and WRITE_FILE requests run and write there, never on the host), gets seeded mutations of
 * the request streams in {@code src/test/resources/fuzz/agent-requests.hex} on its stdin. It
 * must answer with well-formed responses, answer a PING after every batch (it does not hang),
 * exit 0 at end of input (or 2 on an unparseable length, as documented) and, in the sanitizer
 * run ({@code -Dagentkernel.sanitize=true}), report no memory error or undefined behaviour.
 *
 * <p>Bounded: 10 s by default; {@code -Dagentkernel.fuzz.seconds=600} runs longer and
 * {@code -Dagentkernel.fuzz.seed=N} reproduces a run. A failing input is kept under
 * {@code target/fuzz-failures/}; add it to the corpus as a regression.
 */
class AgentFuzzIT {

    private static final int[] REQUEST_TYPES = {AgentProtocol.EXEC, AgentProtocol.STDIN, AgentProtocol.RESIZE,
        AgentProtocol.SIGNAL, AgentProtocol.READ_FILE, AgentProtocol.WRITE_FILE, AgentProtocol.WRITE_DATA,
        AgentProtocol.WRITE_END, AgentProtocol.DELETE_FILE, AgentProtocol.STAT, AgentProtocol.PING,
        AgentProtocol.WINDOW_REQ, AgentProtocol.CANCEL};
    /** The channel of the liveness PING after each batch; the mutator picks small channels. */
    private static final int PROBE_CHANNEL = 0x7ffffff0;
    private static final int STREAMS_PER_BATCH = 40;

    @TempDir
    static Path dir;

    @BeforeAll
    static void requireBubblewrap() throws Exception {
        SandboxHost.require(BwrapAgentIT.bubblewrapWorks(),
                "bubblewrap cannot create sandboxes on this host, so the agent's fuzz test cannot run");
    }

    /** Fails rather than hangs: the fuzzing time plus 180 s. */
    @Test
    void mutatedRequestStreamsNeverCrashOrHangTheAgent() {
        long seconds = FrameMutator.seconds(10);
        assertTimeoutPreemptively(Duration.ofSeconds(seconds + 180), () -> fuzz(seconds));
    }

    private void fuzz(long seconds) throws Exception {
        long seed = FrameMutator.seed();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        FrameMutator m = new FrameMutator(new Random(seed));
        List<byte[]> corpus = FrameMutator.corpus("fuzz/agent-requests.hex");
        Path binary = AgentBinary.extractTo(dir);
        int batches = 0;
        long streams = 0;
        // The corpus as it is first: every seed (and regression) must pass unmutated.
        batch(binary, corpus, true, seed, batches++);
        streams += corpus.size();
        while (System.nanoTime() < deadline) {
            List<byte[]> inputs = new ArrayList<>();
            boolean framed = m.nextInt(4) != 0;
            int count = framed ? STREAMS_PER_BATCH : 1;
            for (int i = 0; i < count; i++) {
                byte[] stream = corpus.get(m.nextInt(corpus.size()));
                inputs.add(framed ? FrameMutator.encode(m.mutateFrames(FrameMutator.frames(stream), corpus, REQUEST_TYPES, 1 << 16))
                        : m.mutateRaw(stream));
            }
            batch(binary, inputs, framed, seed, batches++);
            streams += count;
        }
        System.out.println("AgentFuzzIT: " + streams + " request streams in " + batches + " agents, seed " + seed);
        assertThat(batches).isGreaterThan(1);
    }

    /**
     * Runs one agent over {@code inputs}. Framed: every header is consistent, so a PING at the end
     * must be answered and end of input must make the agent exit 0. Raw: only the end of input
     * follows; the agent exits 0, or 2 after saying on stderr that a frame was unparseable.
     */
    private static void batch(Path binary, List<byte[]> inputs, boolean framed, long seed, int n) throws Exception {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        inputs.forEach(all::writeBytes);
        byte[] sent = all.toByteArray();
        Path stderr = Files.createTempFile(dir, "fuzz-stderr-", ".txt");
        Process agent = new ProcessBuilder(BwrapAgentIT.sandboxCommand(binary)).redirectError(stderr.toFile()).start();
        CompletableFuture<Void> probe = new CompletableFuture<>();
        CompletableFuture<String> responses = CompletableFuture.supplyAsync(() -> readResponses(agent.getInputStream(), probe));
        String failure = null;
        try {
            OutputStream in = agent.getOutputStream();
            try {
                in.write(sent);
                if (framed) {
                    new Request.Ping(PROBE_CHANNEL, "probe".getBytes(StandardCharsets.UTF_8)).toFrame().writeTo(in);
                }
                in.flush();
            } catch (IOException e) {
                // the agent ended early: the exit code says whether that was right
            }
            String unanswered = null;
            if (framed) {
                try {
                    probe.get(20, TimeUnit.SECONDS);
                } catch (TimeoutException e) {
                    unanswered = "the agent did not answer a PING within 20 s after the batch: it hangs";
                } catch (java.util.concurrent.ExecutionException e) {
                    unanswered = "no answer to the PING after the batch: " + e.getCause().getMessage();
                }
            }
            try {
                in.close();
            } catch (IOException e) {
                // already gone
            }
            boolean exited = agent.waitFor(20, TimeUnit.SECONDS);
            String text = Files.readString(stderr);
            String malformed = exited ? responses.get(20, TimeUnit.SECONDS) : null;
            if (!SanitizerReports.find(text).isEmpty()) {
                failure = "sanitizer report:\n" + text;
            } else if (malformed != null) {
                failure = malformed;
            } else if (unanswered != null) {
                failure = unanswered + (exited ? "; the agent exited " + agent.exitValue() : "") + ", stderr:\n" + text;
            } else if (!exited) {
                failure = "the agent did not exit within 20 s of the end of its input";
            } else if (!(agent.exitValue() == 0 || (!framed && agent.exitValue() == 2 && text.contains("unparseable frame")))) {
                failure = "the agent exited " + agent.exitValue() + (framed ? "" : " (raw input)") + ", stderr:\n" + text;
            }
        } finally {
            agent.destroyForcibly();
        }
        if (failure != null) {
            Path kept = FrameMutator.keep("agent-" + seed + "-" + n, sent);
            fail("batch " + n + " of seed " + seed + " (-Dagentkernel.fuzz.seed=" + seed + "; input kept in " + kept
                    + ", " + sent.length + " bytes): " + failure);
        }
    }

    /** Reads every response; completes {@code probe} at the probe's PONG; returns what was malformed, or null. */
    private static String readResponses(InputStream out, CompletableFuture<Void> probe) {
        try {
            for (Frame f; (f = Frame.readFrom(out, AgentProtocol.MAX_RESPONSE_PAYLOAD)) != null; ) {
                Response r = Response.fromFrame(f);
                if (r instanceof Response.Pong p && p.channel() == PROBE_CHANNEL) {
                    probe.complete(null);
                }
            }
            probe.completeExceptionally(new IOException("the agent's output ended"));
            return null;
        } catch (MalformedFrameException e) {
            probe.completeExceptionally(e);
            return "the agent sent a malformed response: " + e.getMessage();
        } catch (IOException e) {
            probe.completeExceptionally(e);
            return null;
        }
    }
}
