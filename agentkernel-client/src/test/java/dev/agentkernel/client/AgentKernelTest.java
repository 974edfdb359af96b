package dev.agentkernel.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The blocking client against a fake server: request JSON, response mapping, headers, timeouts. */
class AgentKernelTest extends FakeServerTestBase {

    private static final String INFO = """
            {"name":"box","status":"running","backend":"bwrap","image":"python:3.12-alpine","vcpus":1,
             "memory_mb":256,"profile":"restrictive","network":false,"created_at":"2026-01-30T12:00:00Z"}""";

    // ---- run ----------------------------------------------------------------------------

    @Test
    void runSendsTheCommandAndOptionsAndMapsTheResult() throws Exception {
        server.on("POST", "/run", c -> c.data("""
                {"output":"2\\n","stdout":"2\\n","stderr":"","exit_code":0,"sandbox":"sandbox-1","duration_ms":42}"""));
        RunResult r = client.run(List.of("python3", "-c", "print(1 + 1)"), RunOptions.defaults()
                .withImage("python:3.12-alpine").withProfile(Profile.RESTRICTIVE).withFast(false)
                .withTimeout(Duration.ofMillis(1500)).withEnv("A", "1").withEnv("B", "x=y").withPull(PullPolicy.ALWAYS));

        assertThat(r).isEqualTo(new RunResult("2\n", "2\n", "", 0, Optional.empty(), false, Optional.of("sandbox-1"),
                Optional.of(Duration.ofMillis(42))));
        assertThat(r.succeeded()).isTrue();
        FakeServer.Request req = server.last();
        assertThat(req.header("Content-Type")).isEqualTo("application/json");
        assertThat(json(req)).isEqualTo(JSON.readTree("""
                {"command":["python3","-c","print(1 + 1)"],"image":"python:3.12-alpine","profile":"restrictive",
                 "fast":false,"pull":"always","timeout":1.5,"env":["A=1","B=x=y"],"output_encoding":"base64"}"""));
    }

    @Test
    void runDefaultsSendFastAndNothingElse() throws Exception {
        server.on("POST", "/run", c -> c.data("{\"output\":\"hi\\n\"}"));
        RunResult r = client.run("echo", "hi");
        assertThat(json(server.last())).isEqualTo(JSON.readTree(
                "{\"command\":[\"echo\",\"hi\"],\"fast\":true,\"output_encoding\":\"base64\"}"));
        // An older server reports only the output, as text: everything else is empty, 0 or false, and
        // the bytes are the text's.
        assertThat(r).isEqualTo(new RunResult("hi\n", "", "", 0, Optional.empty(), false, Optional.empty(),
                Optional.of(Duration.ZERO)));
        assertThat(r.outputBytes()).isEqualTo("hi\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void timeoutsAreSentInSeconds() throws Exception {
        server.on("POST", "/run", c -> c.data("{\"output\":\"\"}"));
        client.run(List.of("true"), RunOptions.defaults().withTimeout(Duration.ofMinutes(2)));
        assertThat(json(server.last()).get("timeout").asDouble()).isEqualTo(120);
        client.run(List.of("true"), RunOptions.defaults().withTimeout(Duration.ofNanos(1)));
        assertThat(json(server.last()).get("timeout").asDouble()).as("at least a millisecond").isEqualTo(0.001);
    }

    @Test
    void anUnusualEndKeepsItsReasonAndTruncation() {
        server.on("POST", "/run", c -> c.data("""
                {"output":"x","stdout":"x","stderr":"","exit_code":124,"reason":"timed out after 1 s",
                 "truncated":true,"sandbox":"s","duration_ms":1000}"""));
        RunResult r = client.run("sleep", "9");
        assertThat(r.exitCode()).isEqualTo(124);
        assertThat(r.succeeded()).isFalse();
        assertThat(r.reason()).contains("timed out after 1 s");
        assertThat(r.truncated()).isTrue();
    }

    @Test
    void execSendsEnvWorkdirAndTimeout() throws Exception {
        server.on("POST", "/sandboxes/box/exec", c -> c.data("""
                {"output":"out\\nerr\\n","stdout":"out\\n","stderr":"err\\n","exit_code":3}"""));
        RunResult r = client.execInSandbox("box", List.of("sh", "-c", "exit 3"), ExecOptions.defaults()
                .withEnv(Map.of("K", "V")).withWorkdir("/tmp").withTimeout(Duration.ofSeconds(5)));
        assertThat(json(server.last())).isEqualTo(JSON.readTree("""
                {"command":["sh","-c","exit 3"],"env":["K=V"],"workdir":"/tmp","timeout":5,"output_encoding":"base64"}"""));
        assertThat(r).isEqualTo(new RunResult("out\nerr\n", "out\n", "err\n", 3, Optional.empty(), false,
                Optional.empty(), Optional.empty()));
    }

    // ---- sandboxes ------------------------------------------------------------------------

    @Test
    void sandboxInfoIsMappedFieldByField() {
        server.on("GET", "/sandboxes/box", c -> c.data(INFO));
        SandboxInfo info = client.getSandbox("box");
        assertThat(info).isEqualTo(new SandboxInfo("box", "running", "bwrap", Optional.of("python:3.12-alpine"), 1,
                256, Optional.of(Profile.RESTRICTIVE), false, Optional.of(Instant.parse("2026-01-30T12:00:00Z")),
                Optional.empty()));
        assertThat(info.running()).isTrue();
    }

    @Test
    void aMinimalSandboxInfoFromAnOlderServer() {
        server.on("GET", "/sandboxes", c -> c.data("""
                [{"name":"a","status":"stopped","backend":"docker"},{"name":"b","status":"running","backend":"docker",
                  "profile":"future-profile"}]"""));
        List<SandboxInfo> all = client.listSandboxes();
        assertThat(all).extracting(SandboxInfo::name).containsExactly("a", "b");
        assertThat(all.get(0).running()).isFalse();
        assertThat(all.get(0).image()).isEmpty();
        assertThat(all.get(0).createdAt()).isEmpty();
        assertThat(all.get(1).profile()).as("an unknown profile is not an error").isEmpty();
    }

    @Test
    void createSendsTheOptionsAndAccepts201() throws Exception {
        server.on("POST", "/sandboxes", c -> c.json(201, "{\"success\":true,\"data\":" + INFO + "}"));
        SandboxInfo info = client.createSandbox("box", SandboxOptions.defaults().withImage("python:3.12-alpine")
                .withVcpus(1).withMemoryMb(256).withProfile(Profile.RESTRICTIVE).withNetwork(false)
                .withPull(PullPolicy.NEVER));
        assertThat(info.name()).isEqualTo("box");
        assertThat(json(server.last())).isEqualTo(JSON.readTree("""
                {"name":"box","image":"python:3.12-alpine","vcpus":1,"memory_mb":256,"profile":"restrictive",
                 "network":false,"pull":"never"}"""));

        client.createSandbox("plain");
        assertThat(json(server.last())).isEqualTo(JSON.readTree("{\"name\":\"plain\"}"));
        client.createSandbox("two", SandboxOptions.defaults().withVcpus(2));
        assertThat(json(server.last()).get("vcpus").isIntegralNumber()).as("whole vCPUs as an integer").isTrue();
        int sent = server.requests.size();
        assertThatThrownBy(() -> client.createSandbox("half", SandboxOptions.defaults().withVcpus(0.5)))
                .as("the contract's vcpus are whole").isInstanceOf(ValidationException.class)
                .hasMessageContaining("vcpus must be a whole number");
        assertThat(server.requests).hasSize(sent);
    }

    @Test
    void startStopAndRemove() {
        server.on("POST", "/sandboxes/box/start", c -> c.data(INFO));
        server.on("POST", "/sandboxes/box/stop", c -> c.data(INFO.replace("running", "stopped")));
        server.on("DELETE", "/sandboxes/box", c -> c.data("\"Removed sandbox 'box'\""));
        assertThat(client.startSandbox("box").running()).isTrue();
        assertThat(client.stopSandbox("box").running()).isFalse();
        client.removeSandbox("box");
        assertThat(server.requests).extracting(r -> r.method() + " " + r.rawPath()).containsExactly(
                "POST /sandboxes/box/start", "POST /sandboxes/box/stop", "DELETE /sandboxes/box");
        assertThat(server.requests.get(2).body()).as("DELETE carries no body").isEmpty();
    }

    @Test
    void namesAreEncodedAndImpossibleOnesRefused() {
        server.on("GET", "/sandboxes/a%20b%2Fc", c -> c.data(INFO));
        client.getSandbox("a b/c");
        assertThat(server.last().rawPath()).isEqualTo("/sandboxes/a%20b%2Fc");
        for (String name : new String[] {"", ".", ".."}) {
            assertThatThrownBy(() -> client.getSandbox(name)).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> client.getSandbox(null)).isInstanceOf(NullPointerException.class);
    }

    // ---- files --------------------------------------------------------------------------

    @Test
    void readFileMapsTextAndBase64() {
        server.on("GET", "/sandboxes/box/files/tmp/a.txt", c -> c.data(
                "{\"content\":\"hello world\",\"encoding\":\"utf8\",\"size\":11}"));
        server.on("GET", "/sandboxes/box/files/tmp/b.bin", c -> c.data(
                "{\"content\":\"AAH/\",\"encoding\":\"base64\",\"size\":3}"));
        FileContent text = client.readFile("box", "/tmp/a.txt");
        assertThat(text).isEqualTo(new FileContent("hello world", FileContent.Encoding.UTF8, 11));
        assertThat(text.text()).isEqualTo("hello world");
        assertThat(text.binary()).isFalse();
        FileContent bin = client.readFile("box", "tmp/b.bin");
        assertThat(bin.binary()).isTrue();
        assertThat(bin.bytes()).containsExactly(0, 1, 0xff);
        assertThat(bin.size()).isEqualTo(3);
    }

    @Test
    void readFileBytesAsksForOctetStream() {
        byte[] raw = {0, 1, 2, (byte) 0xff};
        server.on("GET", "/sandboxes/box/files/data.bin", c -> c.send(200, "application/octet-stream", raw));
        assertThat(client.readFileBytes("box", "/data.bin")).containsExactly(raw);
        assertThat(server.last().header("Accept")).isEqualTo("application/octet-stream");
    }

    @Test
    void readFileBytesFromAServerThatAnswersJson() {
        server.on("GET", "/sandboxes/box/files/data.bin", c -> c.data(
                "{\"content\":\"" + Base64.getEncoder().encodeToString(new byte[] {9, 8, 7}) + "\",\"encoding\":\"base64\",\"size\":3}"));
        assertThat(client.readFileBytes("box", "/data.bin")).containsExactly(9, 8, 7);
    }

    @Test
    void writeTextIsJsonAndBytesAreRaw() throws Exception {
        server.on("PUT", "/sandboxes/box/files/tmp/a.txt", c -> c.data("\"Wrote 5 bytes to /tmp/a.txt\""));
        client.writeFile("box", "/tmp/a.txt", "héllo");
        assertThat(server.last().header("Content-Type")).isEqualTo("application/json");
        assertThat(json(server.last())).isEqualTo(JSON.readTree("{\"content\":\"héllo\",\"encoding\":\"utf8\"}"));

        byte[] raw = {0, (byte) 0xc3, 10, (byte) 0xff};
        client.writeFile("box", "/tmp/a.txt", raw);
        assertThat(server.last().header("Content-Type")).isEqualTo("application/octet-stream");
        assertThat(server.last().body()).containsExactly(raw);
    }

    @Test
    void deleteFile() {
        server.on("DELETE", "/sandboxes/box/files/tmp/a.txt", c -> c.data("\"Deleted /tmp/a.txt\""));
        client.deleteFile("box", "/tmp/a.txt");
        assertThat(server.last().method()).isEqualTo("DELETE");
    }

    @Test
    void filePathsAreEncodedSegmentBySegment() {
        server.on("GET", "/sandboxes/box/files/tmp/a%20b%2Bc%3Bd%25e%3F%23/%C3%A9.txt",
                c -> c.data("{\"content\":\"x\",\"encoding\":\"utf8\",\"size\":1}"));
        assertThat(client.readFile("box", "/tmp/a b+c;d%e?#/é.txt").text()).isEqualTo("x");
    }

    @Test
    void dotSegmentsAndEmptyPathsAreRefusedBeforeAnyRequest() {
        for (String path : new String[] {"/tmp/../etc/passwd", "../../other", "/./a", "/", "", "//"}) {
            assertThatThrownBy(() -> client.deleteFile("box", path)).as(path)
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(server.requests).isEmpty();
    }

    // ---- logs, batch, status, health ---------------------------------------------------------

    @Test
    void logsMapTimestampTypeSandboxAndDetails() {
        server.on("GET", "/sandboxes/box/logs", c -> c.data("""
                [{"timestamp":"2026-01-30T12:00:00Z","event":"sandbox_created","sandbox":"box"},
                 {"timestamp":"2026-01-30T12:00:01.5Z","event":"command_executed","sandbox":"box",
                  "command":["echo","hi"],"exit_code":0}]"""));
        List<AuditEvent> events = client.logs("box");
        assertThat(events).hasSize(2);
        assertThat(events.get(0)).isEqualTo(new AuditEvent(Instant.parse("2026-01-30T12:00:00Z"), "sandbox_created",
                Optional.of("box"), Map.of()));
        assertThat(events.get(1).details()).containsEntry("command", List.of("echo", "hi")).containsEntry("exit_code", 0);
        assertThat(events.get(1).timestamp()).isEqualTo(Instant.parse("2026-01-30T12:00:01.500Z"));

        client.logs("box", 5);
        assertThat(server.last().rawQuery()).isEqualTo("limit=5");
    }

    @Test
    void auditReadsTheGlobalLog() {
        server.on("GET", "/audit", c -> c.data("[{\"timestamp\":\"2026-01-30T12:00:00Z\",\"event\":\"policy_violation\","
                + "\"reason\":\"x\"}]"));
        List<AuditEvent> events = client.audit(10);
        assertThat(events.getFirst().sandbox()).isEmpty();
        assertThat(events.getFirst().details()).isEqualTo(Map.of("reason", "x"));
        assertThat(server.last().rawQuery()).isEqualTo("limit=10");
    }

    @Test
    void batchSendsEveryCommandAndMapsEveryOutcome() throws Exception {
        server.on("POST", "/batch/run", c -> c.data("""
                {"results":[{"output":"a\\n","stdout":"a\\n","stderr":"","exit_code":0,"sandbox":"s1","duration_ms":3,
                             "error":null},
                            {"output":null,"error":"no such image"}]}"""));
        List<BatchResult> results = client.batchRun(List.of(BatchCommand.of("echo", "a"),
                BatchCommand.of(List.of("true"), RunOptions.defaults().withImage("nope"))));
        assertThat(json(server.last())).isEqualTo(JSON.readTree("""
                {"commands":[{"command":["echo","a"],"fast":true,"output_encoding":"base64"},
                             {"command":["true"],"image":"nope","fast":true,"output_encoding":"base64"}]}"""));
        assertThat(results).hasSize(2);
        assertThat(results.get(0)).isInstanceOfSatisfying(BatchResult.Completed.class,
                c -> assertThat(c.result().output()).isEqualTo("a\n"));
        assertThat(results.get(1)).isEqualTo(new BatchResult.Failed("no such image"));
    }

    @Test
    void statusIsMapped() {
        server.on("GET", "/status", c -> c.data("""
                {"version":"0.1.0","uptime_ms":1234,"backend":"bwrap","runs":{"running":1,"max":32},
                 "pool":{"enabled":true,"target_per_key":4,"served":10,"missed":2,"keys":[]},
                 "sandboxes":{"total":3,"running":2,"stopped":1},"images":{"images":2,"layers":5,"bytes":6100000}}"""));
        assertThat(client.status()).isEqualTo(new ServerStatus("0.1.0", Duration.ofMillis(1234), "bwrap",
                new ServerStatus.Runs(1, 32), new ServerStatus.Pool(true, 4, 10, 2),
                new ServerStatus.SandboxCounts(3, 2, 1), new ServerStatus.ImageStoreUsage(2, 5, 6_100_000)));
    }

    @Test
    void healthReadsTheEnvelopeOrTheDocumentsForm() {
        server.on("GET", "/health", c -> c.json(200, "{\"success\":true,\"data\":\"ok\",\"status\":\"ok\"}"));
        assertThat(client.health()).isEqualTo("ok");
        server.on("GET", "/health", c -> c.json(200, "{\"status\":\"ok\"}"));
        assertThat(client.health()).isEqualTo("ok");
        server.on("GET", "/health", c -> c.send(200, "text/html", "<html>hi</html>".getBytes(StandardCharsets.UTF_8)));
        assertThatThrownBy(client::health).isInstanceOf(ServerException.class).hasMessageContaining("not JSON");
    }

    // ---- headers ------------------------------------------------------------------------

    @Test
    void theKeyIsSentBothWaysAndNothingWithoutOne() {
        server.on("GET", "/sandboxes", c -> c.data("[]"));
        client.listSandboxes();
        assertThat(server.last().header("Authorization")).isNull();
        assertThat(server.last().header("X-API-Key")).isNull();
        assertThat(server.last().header("User-Agent")).startsWith("agentkernel-java/");

        try (AgentKernel keyed = server.client("sk-123")) {
            keyed.listSandboxes();
        }
        assertThat(server.last().header("Authorization")).isEqualTo("Bearer sk-123");
        assertThat(server.last().header("X-API-Key")).isEqualTo("sk-123");
    }

    @Test
    void theEnvironmentKeyIsSent() {
        server.on("GET", "/sandboxes", c -> c.data("[]"));
        try (AgentKernel fromEnv = AgentKernel.builder().environment(Map.of("AGENTKERNEL_BASE_URL", server.baseUrl(),
                "AGENTKERNEL_API_KEY", "sk-env")).build()) {
            fromEnv.listSandboxes();
        }
        assertThat(server.last().header("Authorization")).isEqualTo("Bearer sk-env");
    }

    @Test
    void aBasePathIsKept() {
        server.on("GET", "/api/v1/sandboxes", c -> c.data("[]"));
        try (AgentKernel prefixed = AgentKernel.builder().environment(Map.of()).baseUrl(server.baseUrl() + "/api/v1/")
                .build()) {
            assertThat(prefixed.listSandboxes()).isEmpty();
        }
    }

    // ---- timeouts and lifetime -----------------------------------------------------------------

    @Test
    void aConnectionThatCannotBeMadeIsRetryableBecauseNothingRan() throws Exception {
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            port = free.getLocalPort();
        }
        try (AgentKernel nowhere = AgentKernel.builder().environment(java.util.Map.of())
                .baseUrl("http://127.0.0.1:" + port).build()) {
            assertThatThrownBy(() -> nowhere.run("true")).isInstanceOfSatisfying(ConnectionException.class, e -> {
                assertThat(e.retryable()).isTrue();
                assertThat(e.mayHaveReachedServer()).isFalse();
            });
        }
    }

    @Test
    void aSlowResponseTimesOutWithAHint() {
        server.on("POST", "/run", c -> {
            sleep(1500);
            c.data("{\"output\":\"\"}");
        });
        try (AgentKernel quick = client.withTimeout(Duration.ofMillis(300))) {
            assertThatThrownBy(() -> quick.run("sleep", "1"))
                    .isInstanceOfSatisfying(ConnectionException.class, e -> {
                        assertThat(e.status()).isZero();
                        // the command keeps running on the server: a naive retry would run it twice
                        assertThat(e.retryable()).isFalse();
                        assertThat(e.mayHaveReachedServer()).isTrue();
                    })
                    .hasMessageContaining("no response to POST /run within 300 ms")
                    .hasMessageContaining("withTimeout");
        }
    }

    @Test
    void aCommandTimeoutExtendsTheWait() {
        server.on("POST", "/run", c -> {
            sleep(1000);
            c.data("{\"output\":\"done\"}");
        });
        AgentKernel quick = client.withTimeout(Duration.ofMillis(300));
        RunResult r = quick.run(List.of("sleep", "1"), RunOptions.defaults().withTimeout(Duration.ofSeconds(2)));
        assertThat(r.output()).isEqualTo("done");
    }

    @Test
    void aViewsCloseDoesNothingButTheOwnersCloseEndsBoth() {
        server.on("GET", "/sandboxes", c -> c.data("[]"));
        AgentKernel view = client.withTimeout(Duration.ofSeconds(1));
        view.close();
        assertThat(client.listSandboxes()).isEmpty();
        assertThat(view.listSandboxes()).isEmpty();
        client.close();
        client.close(); // idempotent
        assertThatThrownBy(client::listSandboxes).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        assertThatThrownBy(view::listSandboxes).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aCallersHttpClientIsUsedAndLeftOpen() throws Exception {
        server.on("GET", "/sandboxes", c -> c.data("[]"));
        try (java.net.http.HttpClient own = java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_1_1).build()) {
            AgentKernel withOwn = AgentKernel.builder().environment(Map.of()).baseUrl(server.baseUrl()).httpClient(own)
                    .build();
            assertThat(withOwn.listSandboxes()).isEmpty();
            withOwn.close();
            assertThatThrownBy(withOwn::listSandboxes).isInstanceOf(IllegalStateException.class);
            var response = own.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.baseUrl()
                    + "/sandboxes")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as("the caller's client still works").isEqualTo(200);
        }
    }

    @Test
    void aDaemonThatIsNotRunningIsNamed() throws Exception {
        int port;
        try (var socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        try (AgentKernel nobody = AgentKernel.builder().environment(Map.of()).baseUrl("http://127.0.0.1:" + port).build()) {
            assertThatThrownBy(nobody::health).isInstanceOf(ConnectionException.class)
                    .hasMessageContaining("cannot connect to http://127.0.0.1:" + port)
                    .hasMessageContaining("agentkernel serve");
        }
    }

    @Test
    void invalidOptionsFailBeforeAnyRequest() {
        assertThatThrownBy(() -> RunOptions.defaults().withEnv("A=B", "c")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'='");
        assertThatThrownBy(() -> ExecOptions.defaults().withEnv("", "c")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RunOptions.defaults().withTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> client.run(java.util.Arrays.asList("echo", null)))
                .isInstanceOf(NullPointerException.class);
        assertThat(server.requests).isEmpty();
    }

    @Test
    void optionsAreImmutableAndKeepTheirOrder() {
        RunOptions base = RunOptions.defaults();
        RunOptions changed = base.withEnv("Z", "1").withEnv("A", "2").withEnv("Z", "3");
        assertThat(base.env()).isEmpty();
        assertThat(changed.env()).containsExactly(Map.entry("Z", "3"), Map.entry("A", "2"));
        assertThatThrownBy(() -> changed.env().put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
