package dev.agentkernel.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Streaming exec, interactive sessions, file streams and the project directory against a fake
 * server: the requests sent and how the answers are read.
 */
class InteractiveTest extends FakeServerTestBase {

    private static final String SESSION = "0b5c2a7e-1111-4222-8333-944455556666";

    @TempDir
    Path dir;

    @Override
    String apiKey() {
        return "sk-1";
    }

    private static String output(String text) {
        return "event: output\ndata: {\"stream\":\"stdout\",\"b64\":\""
                + Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8)) + "\"}\n\n";
    }

    private List<FakeServer.Request> requests(String method, String path) {
        return server.requests.stream().filter(r -> r.method().equals(method) && r.rawPath().equals(path)).toList();
    }

    // ---- exec stream ----------------------------------------------------------------------

    @Test
    void execStreamPostsTheCommandAndReadsTheEvents() throws Exception {
        server.on("POST", "/sandboxes/my%20box/exec/stream", c -> {
            try (OutputStream out = c.events()) {
                EventStreamTest.write(out, "event: started\ndata: {\"sandbox\":\"my box\"}\n\n"
                        + "event: output\ndata: {\"content\":\"hi\\n\",\"data\":\"hi\\n\",\"stream\":\"stdout\"}\n\n"
                        + "event: done\ndata: {\"exit_code\":4}\n\n", 9, 0);
            }
        });
        try (EventStream events = client.execStream("my box", List.of("sh", "-c", "echo hi; exit 4"),
                ExecOptions.defaults().withEnv("K", "V").withWorkdir("/tmp"))) {
            assertThat(EventStreamTest.all(events)).containsExactly(new StreamEvent.Started("my box"),
                    new StreamEvent.Output("stdout", "hi\n"), new StreamEvent.Done(4, Optional.empty()));
        }
        FakeServer.Request r = server.last();
        assertThat(r.header("Accept")).isEqualTo("text/event-stream");
        assertThat(JSON.readTree(r.body())).isEqualTo(JSON.readTree("""
                {"command":["sh","-c","echo hi; exit 4"],"env":["K=V"],"workdir":"/tmp"}"""));
    }

    @Test
    void execStreamOfAnUnknownSandboxIsNotFoundBeforeTheStream() {
        server.on("POST", "/sandboxes/nope/exec/stream", c -> c.json(404,
                "{\"success\":false,\"error\":\"Sandbox 'nope' not found\"}"));
        assertThatThrownBy(() -> client.execStream("nope", List.of("true"), ExecOptions.defaults()))
                .isInstanceOf(NotFoundException.class).hasMessage("Sandbox 'nope' not found");
    }

    @Test
    void asyncExecStreamCompletesWithDone() throws Exception {
        server.on("POST", "/sandboxes/box/exec/stream", c -> {
            try (OutputStream out = c.events()) {
                EventStreamTest.write(out, "event: done\ndata: {\"exit_code\":0}\n\n", 100, 0);
            }
        });
        try (AsyncAgentKernel async = server.asyncClient()) {
            List<StreamEvent> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
            StreamEvent.Done done = async.execStream("box", List.of("true"), ExecOptions.defaults(), seen::add)
                    .get(5, TimeUnit.SECONDS);
            assertThat(done.exitCode()).isZero();
            assertThat(seen).containsExactly(done);
        }
    }

    // ---- attach ---------------------------------------------------------------------------

    @Test
    void attachOpensASessionReadsOutputAndTheExitCode() throws Exception {
        server.on("POST", "/sandboxes/box/attach", c -> c.json(201,
                "{\"success\":true,\"data\":{\"session\":\"" + SESSION + "\",\"sandbox\":\"box\"}}"));
        server.on("GET", "/attach/" + SESSION + "/events", c -> {
            try (OutputStream out = c.events()) {
                EventStreamTest.write(out, ": keep-alive\n\n" + output("$ ") + "event: mystery\ndata: {}\n\n"
                        + output("42\r\n") + "event: exit\ndata: {\"exit_code\":3}\n\n", 11, 1);
            }
        });
        server.on("POST", "/attach/" + SESSION + "/input", c -> c.send(204, null, new byte[0]));
        server.on("POST", "/attach/" + SESSION + "/resize", c -> c.send(204, null, new byte[0]));
        try (TerminalSession session = client.attach("box", AttachOptions.defaults().withSize(30, 100)
                .withEnv("TERM", "xterm").withWorkdir("/workspace").withCommand(List.of("bash")))) {
            assertThat(session.id()).isEqualTo(SESSION);
            assertThat(session.sandbox()).isEqualTo("box");
            session.input("echo $((6*7))\n");
            session.resize(40, 120);
            session.endInput();
            ByteArrayOutputStream screen = new ByteArrayOutputStream();
            assertThat(session.transferTo(screen)).isEqualTo(3);
            assertThat(screen.toString(StandardCharsets.UTF_8)).isEqualTo("$ 42\r\n");
            assertThat(session.exitCode()).isCompletedWithValue(3);
            assertThat(session.read()).isNull();
        }
        assertThat(JSON.readTree(requests("POST", "/sandboxes/box/attach").getFirst().body())).isEqualTo(JSON.readTree("""
                {"command":["bash"],"env":["TERM=xterm"],"workdir":"/workspace","rows":30,"cols":100}"""));
        List<FakeServer.Request> inputs = requests("POST", "/attach/" + SESSION + "/input");
        assertThat(inputs).hasSize(2);
        assertThat(inputs.get(0).text()).isEqualTo("echo $((6*7))\n");
        assertThat(inputs.get(0).header("Content-Type")).isEqualTo("application/octet-stream");
        assertThat(inputs.get(0).rawQuery()).isNull();
        assertThat(inputs.get(1).rawQuery()).isEqualTo("eof=true");
        assertThat(inputs.get(1).body()).isEmpty();
        assertThat(JSON.readTree(requests("POST", "/attach/" + SESSION + "/resize").getFirst().body()))
                .isEqualTo(JSON.readTree("{\"rows\":40,\"cols\":120}"));
        assertThat(requests("DELETE", "/attach/" + SESSION)).as("an ended session is not deleted").isEmpty();
        assertThat(server.last().header("Authorization")).isEqualTo("Bearer sk-1");
    }

    @Test
    void theDefaultsSendOnlyTheSize() throws Exception {
        server.on("POST", "/sandboxes/box/attach", c -> c.json(201,
                "{\"success\":true,\"data\":{\"session\":\"" + SESSION + "\",\"sandbox\":\"box\"}}"));
        server.on("GET", "/attach/" + SESSION + "/events", c -> {
            try (OutputStream out = c.events()) {
                EventStreamTest.write(out, "event: exit\ndata: {\"exit_code\":0}\n\n", 100, 0);
            }
        });
        try (TerminalSession session = client.attach("box", AttachOptions.defaults())) {
            assertThat(session.transferTo(OutputStream.nullOutputStream())).isZero();
        }
        assertThat(JSON.readTree(requests("POST", "/sandboxes/box/attach").getFirst().body()))
                .isEqualTo(JSON.readTree("{\"rows\":24,\"cols\":80}"));
    }

    @Test
    void largeInputIsSentInPiecesTheServerAccepts() {
        server.on("POST", "/attach/" + SESSION + "/input", c -> c.send(204, null, new byte[0]));
        openSessionThatWaits();
        try (TerminalSession session = client.attach("box", AttachOptions.defaults())) {
            byte[] big = new byte[HttpTerminalSession.MAX_INPUT * 2 + 5];
            java.util.Arrays.fill(big, (byte) 'x');
            session.input(big);
        }
        assertThat(requests("POST", "/attach/" + SESSION + "/input")).extracting(r -> r.body().length)
                .containsExactly(HttpTerminalSession.MAX_INPUT, HttpTerminalSession.MAX_INPUT, 5);
    }

    @Test
    void closingARunningSessionDeletesItAndEndsReading() throws Exception {
        server.on("DELETE", "/attach/" + SESSION, c -> c.data("\"Closed session " + SESSION + "\""));
        openSessionThatWaits();
        TerminalSession session = client.attach("box", AttachOptions.defaults());
        CountDownLatch reading = new CountDownLatch(1);
        var reader = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            reading.countDown();
            return session.read();
        });
        reading.await();
        Thread.sleep(100);
        session.close();
        session.close();
        assertThat(reader.get(5, TimeUnit.SECONDS)).isNull();
        assertThat(requests("DELETE", "/attach/" + SESSION)).hasSize(1);
        assertThat(session.exitCode()).isCompletedExceptionally();
        assertThatThrownBy(() -> session.transferTo(OutputStream.nullOutputStream()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed before");
    }

    @Test
    void aStreamThatEndsWithoutExitIsAConnectionFailure() {
        server.on("POST", "/sandboxes/box/attach", c -> c.json(201,
                "{\"success\":true,\"data\":{\"session\":\"" + SESSION + "\",\"sandbox\":\"box\"}}"));
        server.on("GET", "/attach/" + SESSION + "/events", c -> {
            try (OutputStream out = c.events()) {
                EventStreamTest.write(out, output("partial"), 100, 0);
            }
        });
        try (TerminalSession session = client.attach("box", AttachOptions.defaults())) {
            assertThat(new String(session.read(), StandardCharsets.UTF_8)).isEqualTo("partial");
            assertThatThrownBy(session::read).isInstanceOf(ConnectionException.class)
                    .hasMessageContaining("ended before the program's exit");
            assertThat(session.exitCode()).isCompletedExceptionally();
        }
    }

    @Test
    void attachErrorsAreTheServersAndNothingIsLeftOpen() {
        server.on("POST", "/sandboxes/off/attach", c -> c.json(409,
                "{\"success\":false,\"error\":\"sandbox 'off' is stopped\"}"));
        assertThatThrownBy(() -> client.attach("off", AttachOptions.defaults()))
                .isInstanceOf(ConflictException.class).hasMessage("sandbox 'off' is stopped");
        server.on("POST", "/sandboxes/box/attach", c -> c.json(201,
                "{\"success\":true,\"data\":{\"session\":\"" + SESSION + "\",\"sandbox\":\"box\"}}"));
        server.on("DELETE", "/attach/" + SESSION, c -> c.data("\"closed\""));
        // no events route: 404 when connecting, and the session just opened is deleted
        assertThatThrownBy(() -> client.attach("box", AttachOptions.defaults())).isInstanceOf(NotFoundException.class);
        assertThat(requests("DELETE", "/attach/" + SESSION)).hasSize(1);
    }

    @Test
    void sizesAreChecked() {
        assertThatThrownBy(() -> AttachOptions.defaults().withSize(0, 80)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1 to 1000");
        assertThatThrownBy(() -> AttachOptions.defaults().withSize(24, 1001)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AttachOptions.defaults().withEnv("A=B", "x")).isInstanceOf(IllegalArgumentException.class);
    }

    private void openSessionThatWaits() {
        server.on("POST", "/sandboxes/box/attach", c -> c.json(201,
                "{\"success\":true,\"data\":{\"session\":\"" + SESSION + "\",\"sandbox\":\"box\"}}"));
        server.on("GET", "/attach/" + SESSION + "/events", c -> {
            try (OutputStream out = c.events()) {
                out.write(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8));
                out.flush();
                Thread.sleep(3000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    // ---- files ----------------------------------------------------------------------------

    @Test
    void readFileStreamStreamsRawBytes() throws Exception {
        byte[] raw = {0, (byte) 0xff, 10, 13, 'x'};
        server.on("GET", "/sandboxes/box/files/data.bin", c -> c.send(200, "application/octet-stream", raw));
        try (InputStream in = client.readFileStream("box", "/data.bin")) {
            assertThat(in.readAllBytes()).containsExactly(raw);
        }
        assertThat(server.last().header("Accept")).isEqualTo("application/octet-stream");
    }

    @Test
    void readFileStreamFromAServerThatAnswersJsonAndItsErrors() throws Exception {
        server.on("GET", "/sandboxes/box/files/a.bin", c -> c.data("{\"content\":\"CQgH\",\"encoding\":\"base64\"}"));
        try (InputStream in = client.readFileStream("box", "/a.bin")) {
            assertThat(in.readAllBytes()).containsExactly(9, 8, 7);
        }
        server.on("GET", "/sandboxes/box/files/tmp", c -> c.json(400,
                "{\"success\":false,\"error\":\"/tmp is a directory; read a file\"}"));
        assertThatThrownBy(() -> client.readFileStream("box", "/tmp")).isInstanceOf(ValidationException.class)
                .hasMessage("/tmp is a directory; read a file");
    }

    @Test
    void writeFileFromAPathStreamsItsBytes() throws Exception {
        byte[] raw = new byte[300_000];
        new java.util.Random(7).nextBytes(raw);
        Path source = Files.write(dir.resolve("in.bin"), raw);
        server.on("PUT", "/sandboxes/box/files/workspace/in.bin", c -> c.data("\"Wrote 300000 bytes\""));
        client.writeFile("box", "/workspace/in.bin", source);
        assertThat(server.last().body()).containsExactly(raw);
        assertThat(server.last().header("Content-Type")).isEqualTo("application/octet-stream");
        assertThatThrownBy(() -> client.writeFile("box", "/x", dir.resolve("missing")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("missing");
    }

    // ---- project directory ----------------------------------------------------------------

    @Test
    void createSendsTheDirAndInfoReportsIt() throws Exception {
        server.on("POST", "/sandboxes", c -> c.json(201, "{\"success\":true,\"data\":{\"name\":\"p\",\"status\":"
                + "\"running\",\"backend\":\"bwrap\",\"dir\":\"/home/me/project\"}}"));
        SandboxInfo info = client.createSandbox("p", SandboxOptions.defaults().withDir("/home/me/project"));
        assertThat(JSON.readTree(server.last().body())).isEqualTo(JSON.readTree(
                "{\"name\":\"p\",\"dir\":\"/home/me/project\"}"));
        assertThat(info.dir()).contains("/home/me/project");
    }
}
