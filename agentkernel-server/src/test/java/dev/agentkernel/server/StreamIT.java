package dev.agentkernel.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentkernel.testing.HostProcesses;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code POST /run/stream}: exact SSE framing, event order, live delivery, UTF-8, client disconnect. */
class StreamIT extends ServerTestBase {

    /** One frame, exactly {@code event: TYPE\ndata: JSON} between blank lines. */
    private static final Pattern FRAME = Pattern.compile("event: ([a-z]+)\ndata: (\\{[^\n]*\\})");

    /** One SSE frame with the time its last byte arrived. */
    record Frame(String event, JsonNode data, long nanos, String raw) {
        String text() {
            return data.path("content").asText();
        }

        @Override
        public String toString() {
            return raw.replace("\n", "\\n");
        }
    }

    /** An open event stream. */
    static final class Events implements AutoCloseable {
        final HttpResponse<InputStream> response;
        final InputStream in;
        final List<Frame> frames = new ArrayList<>();
        final long opened = System.nanoTime();

        Events(HttpResponse<InputStream> response) {
            this.response = response;
            this.in = response.body();
        }

        /** Reads the next frame, or null at the end of the stream; checks the framing byte for byte. */
        Frame next() throws IOException {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            int prev = -1;
            for (int b; (b = in.read()) >= 0; ) {
                if (b == '\n' && prev == '\n') {
                    byte[] bytes = buf.toByteArray();
                    String raw = new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8); // drop the frame's first \n
                    if (raw.equals(": keep-alive")) {
                        // The server's heartbeat while the command is silent: an SSE comment, which every SSE
                        // client ignores (the spec's "lines starting with a colon"). Exactly this text, nothing else.
                        buf.reset();
                        prev = -1;
                        continue;
                    }
                    var m = FRAME.matcher(raw);
                    if (!m.matches()) {
                        fail("not an 'event: TYPE\\ndata: JSON\\n\\n' frame: [" + raw.replace("\n", "\\n") + "]");
                    }
                    Frame f = new Frame(m.group(1), ServerFixture.JSON.readTree(m.group(2)), System.nanoTime(), raw);
                    frames.add(f);
                    return f;
                }
                buf.write(b);
                prev = b;
            }
            assertThat(buf.size()).as("bytes after the last complete frame: [%s]", buf.toString(StandardCharsets.UTF_8))
                    .isZero();
            return null;
        }

        /** Reads to the end of the stream. */
        List<Frame> all() throws IOException {
            while (next() != null) {
                // collect
            }
            return frames;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    private static Events open(List<String> argv, Map<String, ?> extra) throws IOException, InterruptedException {
        Map<String, Object> body = new LinkedHashMap<>(extra);
        body.put("command", argv);
        HttpRequest request = fx.request("/run/stream").setHeader("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(ServerFixture.JSON.writeValueAsString(body))).build();
        HttpResponse<InputStream> r = fx.http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() != 200) {
            String text;
            try (InputStream in = r.body()) {
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            fail("stream answered " + r.statusCode() + ": " + text);
        }
        assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
        return new Events(r);
    }

    private static List<Frame> stream(List<String> argv, Map<String, ?> extra) throws Exception {
        try (Events events = open(argv, extra)) {
            return events.all();
        }
    }

    private static List<Frame> outputs(List<Frame> frames) {
        return frames.stream().filter(f -> f.event().equals("output")).toList();
    }

    private static String text(List<Frame> frames, String stream) {
        StringBuilder sb = new StringBuilder();
        for (Frame f : outputs(frames)) {
            if (f.data().path("stream").asText().equals(stream)) {
                sb.append(f.text());
            }
        }
        return sb.toString();
    }

    /** started, progress creating/starting/executing, output*, done: exactly that, once each. */
    private static void assertProtocol(List<Frame> frames) {
        assertThat(frames).as("frames").hasSizeGreaterThanOrEqualTo(5);
        assertThat(frames.get(0).event()).as("%s", frames).isEqualTo("started");
        assertThat(frames.get(0).data().path("sandbox").asText()).as("%s", frames).isNotBlank();
        assertThat(frames.subList(1, 4)).as("%s", frames).extracting(Frame::event)
                .containsExactly("progress", "progress", "progress");
        assertThat(frames.subList(1, 4)).as("%s", frames).extracting(f -> f.data().path("stage").asText())
                .containsExactly("creating", "starting", "executing");
        Frame last = frames.getLast();
        assertThat(last.event()).as("%s", frames).isEqualTo("done");
        assertThat(last.data().path("exit_code").isInt()).as("%s", frames).isTrue();
        for (Frame f : frames.subList(4, frames.size() - 1)) {
            assertThat(f.event()).as("between executing and done: %s", frames).isEqualTo("output");
            JsonNode d = f.data();
            assertThat(d.path("content").isTextual()).as("%s", f).isTrue();
            assertThat(d.path("content").asText()).as("%s", f).isNotEmpty();
            assertThat(d.path("data").asText()).as("data and content carry the same text: %s", f)
                    .isEqualTo(d.path("content").asText());
            assertThat(d.path("stream").asText()).as("%s", f).isIn("stdout", "stderr");
        }
    }

    @Test
    void pythonOutputAndDoneExitCode() throws Exception {
        List<Frame> frames = stream(List.of("python3", "-c", "print(1+1)"), Map.of());
        assertProtocol(frames);
        assertThat(text(frames, "stdout")).isEqualTo("2\n");
        assertThat(text(frames, "stderr")).isEmpty();
        assertThat(frames.getLast().data().path("exit_code").asInt()).isZero();
    }

    @Test
    void stdoutAndStderrAreTaggedAndNonZeroExitInDone() throws Exception {
        List<Frame> frames = stream(List.of("sh", "-c", "echo to-out; echo to-err >&2; exit 5"), Map.of("fast", false));
        assertProtocol(frames);
        assertThat(text(frames, "stdout")).isEqualTo("to-out\n");
        assertThat(text(frames, "stderr")).isEqualTo("to-err\n");
        assertThat(frames.getLast().data().path("exit_code").asInt()).isEqualTo(5);
    }

    @Test
    void timeoutEndsTheStreamWith124() throws Exception {
        List<Frame> frames = stream(List.of("sh", "-c", "echo begin; sleep 30"), Map.of("timeout", 1));
        assertProtocol(frames);
        assertThat(text(frames, "stdout")).isEqualTo("begin\n");
        assertThat(frames.getLast().data().path("exit_code").asInt()).isEqualTo(124);
    }

    @Test
    void orderHoldsForFastCommandsToo() throws Exception {
        // a command that prints at once: its output must still come after "executing"
        for (int i = 0; i < 15; i++) {
            List<Frame> frames = stream(List.of("echo", "quick-" + i), Map.of("profile", i % 2 == 0 ? "restrictive" : "moderate"));
            assertProtocol(frames);
            assertThat(text(frames, "stdout")).isEqualTo("quick-" + i + "\n");
        }
    }

    @Test
    void outputIsDeliveredLive() throws Exception {
        try (Events events = open(List.of("sh", "-c", "echo first; sleep 2; echo second"), Map.of())) {
            List<Frame> frames = events.all();
            assertProtocol(frames);
            Frame firstOutput = outputs(frames).getFirst();
            Frame done = frames.getLast();
            assertThat(firstOutput.text()).isEqualTo("first\n");
            assertThat(text(frames, "stdout")).isEqualTo("first\nsecond\n");
            long gapMillis = (done.nanos() - firstOutput.nanos()) / 1_000_000;
            assertThat(gapMillis).as("the first line arrives before the command ends (%s)", frames)
                    .isGreaterThanOrEqualTo(1500);
            // and the stages arrive before the command ends, too
            assertThat((done.nanos() - frames.get(3).nanos()) / 1_000_000).isGreaterThanOrEqualTo(1500);
        }
    }

    @Test
    void multiByteCharactersSplitAcrossWritesStayWhole() throws Exception {
        String script = """
                import sys, time
                out = sys.stdout.buffer
                for ch in ["é", "€", "😀", "中"]:
                    b = ch.encode()
                    for i in range(len(b)):
                        out.write(b[i:i+1]); out.flush(); time.sleep(0.05)
                out.write(b"\\n"); out.flush()
                sys.stderr.buffer.write("ü".encode()[:1]); sys.stderr.flush(); time.sleep(0.1)
                sys.stderr.buffer.write("ü".encode()[1:] + b"\\n"); sys.stderr.flush()
                """;
        List<Frame> frames = stream(List.of("python3", "-c", script), Map.of());
        assertProtocol(frames);
        assertThat(text(frames, "stdout")).isEqualTo("é€😀中\n");
        assertThat(text(frames, "stderr")).isEqualTo("ü\n");
        for (Frame f : outputs(frames)) {
            assertThat(f.text()).as("no replacement character or lone surrogate in %s", f)
                    .doesNotContain("\uFFFD");
            String roundTrip = new String(f.text().getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
            assertThat(roundTrip).as("no lone surrogate in %s", f).isEqualTo(f.text());
        }
        // the writes were slow enough to arrive as several events
        assertThat(outputs(frames).size()).as("%s", frames).isGreaterThan(2);
    }

    @Test
    void invalidBytesBecomeReplacementCharacters() throws Exception {
        List<Frame> frames = stream(List.of("printf", "a\\377b\\n"), Map.of());
        assertProtocol(frames);
        assertThat(text(frames, "stdout")).isEqualTo("a\uFFFDb\n");
    }

    @Test
    void anUnexpectedFailureEndsTheStreamWithAnErrorEvent() throws Exception {
        HttpRequest request = fx.request("/run/stream").setHeader("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"command\": [\"echo\", \"hi\"], \"timeout\": 1e300}"))
                .build();
        HttpResponse<InputStream> r = fx.http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() != 200) {
            try (InputStream in = r.body()) {
                assertErrorEnvelope(new ServerFixture.Response(r.statusCode(), new ErrorsIT.RawResponse(r.statusCode(),
                        r.headers().firstValue("content-type").orElse(""), in.readAllBytes())), 400);
            }
            return;
        }
        try (Events events = new Events(r)) {
            List<Frame> frames = events.all();
            assertThat(frames.getLast().event()).as("%s", frames).isIn("error", "done");
        }
    }

    /**
     * Reads until the first output event, then leaves; within 5 s nothing of the sandbox may
     * remain on the host.
     */
    private static void disconnectAndExpectCleanUp(List<String> argv, String marker) throws Exception {
        Events events = open(argv, Map.of());
        Frame f;
        do {
            f = events.next();
            assertThat(f).as("stream ended before any output: %s", events.frames).isNotNull();
        } while (!f.event().equals("output"));
        assertThat(f.text()).startsWith("start");
        assertThat(HostProcesses.mentioning(marker)).as("the command runs").isNotEmpty();

        events.close(); // the client goes away
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        List<String> processes = HostProcesses.mentioning(marker);
        List<String> cgroups = ServerFixture.leftoverCgroups();
        while ((!processes.isEmpty() || !cgroups.isEmpty()) && System.nanoTime() < deadline) {
            ServerFixture.sleep(50);
            processes = HostProcesses.mentioning(marker);
            cgroups = ServerFixture.leftoverCgroups();
        }
        assertThat(processes).as("sandbox processes 5 s after the client left").isEmpty();
        assertThat(cgroups).as("cgroups 5 s after the client left").isEmpty();
    }

    @Test
    void clientDisconnectWhileTheCommandKeepsPrintingKillsTheSandbox() throws Exception {
        disconnectAndExpectCleanUp(List.of("sh", "-c", "echo start; while :; do echo tick 200.789; sleep 0.2; done"),
                "200.789");
    }

    @Test
    void clientDisconnectWhileTheCommandIsSilentKillsTheSandbox() throws Exception {
        disconnectAndExpectCleanUp(List.of("sh", "-c", "echo start; sleep 100.456"), "100.456");
    }
}
