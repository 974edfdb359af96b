package dev.agentkernel.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The code-session routes against a fake server: request JSON, response mapping, waits. */
class CodeSessionApiTest extends FakeServerTestBase {

    static final String RESULT = """
            {"session_id":"ses-3f9c2a61d0b84e7f","template":"python","flavor":"small","session_created":true,
             "state_lost":false,"stdout":"42\\n","stderr":"","success":true,"error":null,"execution_time_ms":1}""";
    static final String SESSION = """
            {"session_id":"ses-3f9c2a61d0b84e7f","template":"python","flavor":"small","cpus":1,"memory_mb":1024,
             "state":"ready","executions":3,"created_at":"2026-11-22T09:30:00Z","last_used_at":"2026-11-22T09:31:10Z",
             "age_seconds":70,"idle_seconds":2,"volumes":["/srv/data:/data:ro"]}""";
    static final String MAINTENANCE = """
            {"paused":false,"interval_seconds":10,"runs":12,"last_run_at":"2026-11-22T09:31:00Z",
             "expired_total":1,"evicted_total":2,"orphans_removed_total":3}""";
    static final SessionInfo SESSION_INFO = new SessionInfo("ses-3f9c2a61d0b84e7f", "python", "small", 1, 1024, "ready",
            3, Optional.of(Instant.parse("2026-11-22T09:30:00Z")), Optional.of(Instant.parse("2026-11-22T09:31:10Z")),
            Duration.ofSeconds(70), Duration.ofSeconds(2), List.of("/srv/data:/data:ro"));

    @Test
    void executeSendsTheCodeAndOptionsAndMapsTheResult() throws Exception {
        server.on("POST", "/execute", c -> c.data(RESULT));
        CodeResult r = client.executeCode("x = 42\nx", CodeOptions.defaults().withTemplate("python")
                .withFlavor("medium").withTimeout(Duration.ofMillis(2500)).withVolume("/srv/data:/data:ro")
                .withVolume("/srv/out:/out"));
        assertThat(r).isEqualTo(new CodeResult("ses-3f9c2a61d0b84e7f", "python", "small", true, false, "42\n", "", true,
                Optional.empty(), Duration.ofMillis(1)));
        FakeServer.Request req = server.last();
        assertThat(req.header("Content-Type")).isEqualTo("application/json");
        assertThat(json(req)).isEqualTo(JSON.readTree("""
                {"code":"x = 42\\nx","template":"python","flavor":"medium","timeout":2.5,
                 "volumes":["/srv/data:/data:ro","/srv/out:/out"]}"""));
    }

    @Test
    void executeWithDefaultsSendsOnlyTheCodeAndWithASessionItsId() throws Exception {
        server.on("POST", "/execute", c -> c.data(RESULT));
        client.executeCode("print(1)");
        assertThat(json(server.last())).isEqualTo(JSON.readTree("{\"code\":\"print(1)\"}"));
        client.executeCode("print(2)", CodeOptions.defaults().withSessionId("ses-1").withTimeout(Duration.ofMinutes(2)));
        assertThat(json(server.last())).isEqualTo(JSON.readTree("{\"code\":\"print(2)\",\"session_id\":\"ses-1\",\"timeout\":120}"));
    }

    @Test
    void codeThatRaisedIsAResultWithItsError() {
        server.on("POST", "/execute", c -> c.data("""
                {"session_id":"ses-1","template":"python","flavor":"small","session_created":false,"state_lost":false,
                 "stdout":"before\\n","stderr":"","success":false,
                 "error":{"type":"ZeroDivisionError","message":"division by zero",
                          "traceback":"Traceback (most recent call last):\\n  File \\"<code>\\", line 1\\nZeroDivisionError: division by zero\\n"},
                 "execution_time_ms":3}"""));
        CodeResult r = client.executeCode("print('before'); 1/0", CodeOptions.defaults().withSessionId("ses-1"));
        assertThat(r.success()).isFalse();
        assertThat(r.stdout()).isEqualTo("before\n");
        CodeError e = r.error().orElseThrow();
        assertThat(e.type()).isEqualTo("ZeroDivisionError");
        assertThat(e.message()).isEqualTo("division by zero");
        assertThat(e.describe()).startsWith("Traceback (most recent call last):").endsWith("ZeroDivisionError: division by zero");
        assertThat(e.timedOut()).isFalse();
    }

    @Test
    void theServersOwnErrorKindsAreRecognised() {
        server.on("POST", "/execute", c -> c.data("""
                {"session_id":"ses-1","template":"python","flavor":"small","session_created":false,"state_lost":true,
                 "stdout":"","stderr":"","success":false,"error":{"type":"InterpreterDied","message":"exit code 3"},
                 "execution_time_ms":5}"""));
        CodeResult r = client.executeCode("import os; os._exit(3)", CodeOptions.defaults().withSessionId("ses-1"));
        assertThat(r.stateLost()).isTrue();
        assertThat(r.error().orElseThrow().interpreterDied()).isTrue();
        assertThat(r.error().orElseThrow().describe()).isEqualTo("InterpreterDied: exit code 3");
        assertThat(new CodeError("Timeout", "", "").describe()).isEqualTo("Timeout");
        assertThat(new CodeError("Timeout", "", "").timedOut()).isTrue();
    }

    @Test
    void aResultWithoutASessionIdIsMalformed() {
        server.on("POST", "/execute", c -> c.data("{\"stdout\":\"\"}"));
        assertThatThrownBy(() -> client.executeCode("1")).isInstanceOf(ServerException.class)
                .hasMessageContaining("POST /execute is malformed: session_id is missing");
        server.on("POST", "/execute", c -> c.data("{\"session_id\":\"s\",\"error\":\"boom\"}"));
        assertThatThrownBy(() -> client.executeCode("1")).isInstanceOf(ServerException.class)
                .hasMessageContaining("POST /execute is malformed: error must be a JSON object");
    }

    @Test
    void theWaitCoversTheExecutionsTimeoutAndTheSessionsStart() {
        // The client's own timeout is 400 ms, the server answers after 1 s: an execution with a
        // timeout (of its own or the server's default, 30 s) extends the wait.
        server.on("POST", "/execute", c -> {
            AgentKernelTest.sleep(1000);
            c.data(RESULT);
        });
        AgentKernel quick = client.withTimeout(Duration.ofMillis(400));
        assertThat(quick.executeCode("1", CodeOptions.defaults().withTimeout(Duration.ofSeconds(1))).stdout())
                .isEqualTo("42\n");
        assertThat(quick.executeCode("1").stdout()).isEqualTo("42\n");
        // Other routes keep the client's timeout.
        server.on("GET", "/sessions", c -> {
            AgentKernelTest.sleep(1000);
            c.data("{\"sessions\":[]}");
        });
        assertThatThrownBy(quick::listSessions).isInstanceOf(ConnectionException.class);
    }

    @Test
    void sessionsAreListedShownAndDeleted() {
        server.on("GET", "/sessions", c -> c.data("{\"sessions\":[" + SESSION + "]}"));
        server.on("GET", "/sessions/ses-3f9c2a61d0b84e7f", c -> c.data(SESSION));
        server.on("DELETE", "/sessions/ses-3f9c2a61d0b84e7f", c -> c.data(
                "{\"session_id\":\"ses-3f9c2a61d0b84e7f\",\"deleted\":true}"));
        assertThat(client.listSessions()).containsExactly(SESSION_INFO);
        SessionInfo info = client.getSession("ses-3f9c2a61d0b84e7f");
        assertThat(info).isEqualTo(SESSION_INFO);
        assertThat(info.busy()).isFalse();
        client.deleteSession("ses-3f9c2a61d0b84e7f");
        assertThat(server.last().method()).isEqualTo("DELETE");
    }

    @Test
    void aSparseSessionHasEmptyValues() {
        server.on("GET", "/sessions", c -> c.data("{\"sessions\":[{\"session_id\":\"s\",\"state\":\"busy\",\"age_seconds\":2}]}"));
        SessionInfo s = client.listSessions().getFirst();
        assertThat(s).isEqualTo(new SessionInfo("s", "", "", 0, 0, "busy", 0, Optional.empty(), Optional.empty(),
                Duration.ofSeconds(2), Duration.ZERO, List.of()));
        assertThat(s.busy()).isTrue();
    }

    @Test
    void sessionIdsAreEncodedAndChecked() {
        server.on("GET", "/sessions/a%2Fb", c -> c.data("{\"session_id\":\"a/b\"}"));
        assertThat(client.getSession("a/b").sessionId()).isEqualTo("a/b");
        assertThatThrownBy(() -> client.deleteSession("..")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> client.getSession(" ")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void statsAreMappedWithTheirMaintenance() {
        server.on("GET", "/stats", c -> c.data("""
                {"active_sessions":2,"max_sessions":10,"memory_allocated_mb":2048,"max_total_memory_mb":8192,
                 "session_timeout_seconds":1800,"by_template":{"python":1,"node":1},
                 "pool":{"python":{"ready":1,"starting":0},"bash":{"ready":0,"starting":1}},
                 "maintenance":%s,"sessions":[%s]}""".formatted(MAINTENANCE, SESSION)));
        SessionStats stats = client.sessionStats();
        assertThat(stats.activeSessions()).isEqualTo(2);
        assertThat(stats.maxSessions()).isEqualTo(10);
        assertThat(stats.memoryAllocatedMb()).isEqualTo(2048);
        assertThat(stats.maxTotalMemoryMb()).isEqualTo(8192);
        assertThat(stats.sessionTimeout()).isEqualTo(Duration.ofMinutes(30));
        assertThat(stats.byTemplate()).containsExactly(Map.entry("python", 1), Map.entry("node", 1));
        assertThat(stats.pool()).containsExactly(Map.entry("python", new SessionStats.Pool(1, 0)),
                Map.entry("bash", new SessionStats.Pool(0, 1)));
        assertThat(stats.maintenance()).isEqualTo(new SessionStats.Maintenance(false, Duration.ofSeconds(10), 12,
                Optional.of(Instant.parse("2026-11-22T09:31:00Z")), 1, 2, 3));
        assertThat(stats.sessions()).containsExactly(SESSION_INFO);
    }

    @Test
    void maintenanceIsPausedAndResumed() throws Exception {
        server.on("POST", "/maintenance/pause", c -> c.data(MAINTENANCE.replace("\"paused\":false", "\"paused\":true")));
        server.on("POST", "/maintenance/resume", c -> c.data(MAINTENANCE));
        assertThat(client.pauseMaintenance().paused()).isTrue();
        assertThat(json(server.last())).isEqualTo(JSON.readTree("{}"));
        assertThat(client.resumeMaintenance().paused()).isFalse();
        assertThat(server.last().rawPath()).isEqualTo("/maintenance/resume");
    }

    @Test
    void optionsAreCheckedBeforeARequest() {
        assertThatThrownBy(() -> CodeOptions.defaults().withVolume("/data")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a volume must be written host:sandbox or host:sandbox:ro, e.g. /srv/data:/data:ro; got '/data'");
        assertThatThrownBy(() -> CodeOptions.defaults().withVolume("/a:/b:rw")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CodeOptions.defaults().withVolume(":/b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CodeOptions.defaults().withTemplate(" ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("template must not be blank");
        assertThatThrownBy(() -> CodeOptions.defaults().withTimeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> client.executeCode(null)).isInstanceOf(NullPointerException.class);
        assertThat(CodeOptions.defaults().withVolume("/a:/b:ro").withVolumes(List.of()).volumes()).isEmpty();
        assertThatThrownBy(() -> CodeOptions.defaults().withVolume("/a:/b").withSessionId("ses-1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("volumes are mounted in a new session only; drop them, or the session id to start a new session");
        assertThat(server.requests).isEmpty();
    }

    @Test
    void theAsyncClientHasTheSameRoutes() {
        server.on("POST", "/execute", c -> c.data(RESULT));
        server.on("GET", "/sessions", c -> c.data("{\"sessions\":[" + SESSION + "]}"));
        server.on("GET", "/sessions/ses-3f9c2a61d0b84e7f", c -> c.data(SESSION));
        server.on("DELETE", "/sessions/ses-3f9c2a61d0b84e7f", c -> c.data("{\"deleted\":true}"));
        server.on("GET", "/stats", c -> c.data("{\"active_sessions\":1,\"maintenance\":" + MAINTENANCE + "}"));
        server.on("POST", "/maintenance/pause", c -> c.data(MAINTENANCE));
        server.on("POST", "/maintenance/resume", c -> c.data(MAINTENANCE));
        server.on("GET", "/sessions/gone", c -> c.json(404,
                "{\"success\":false,\"error\":\"session 'gone' not found\",\"code\":\"session_not_found\"}"));
        try (AsyncAgentKernel async = server.asyncClient()) {
            assertThat(async.executeCode("x", CodeOptions.defaults()).join().stdout()).isEqualTo("42\n");
            assertThat(async.listSessions().join()).containsExactly(SESSION_INFO);
            assertThat(async.getSession("ses-3f9c2a61d0b84e7f").join()).isEqualTo(SESSION_INFO);
            async.deleteSession("ses-3f9c2a61d0b84e7f").join();
            assertThat(async.sessionStats().join().activeSessions()).isEqualTo(1);
            assertThat(async.pauseMaintenance().join().runs()).isEqualTo(12);
            assertThat(async.resumeMaintenance().join().runs()).isEqualTo(12);
            assertThatThrownBy(() -> async.getSession("gone").join()).cause().isInstanceOf(SessionNotFoundException.class);
        }
    }
}
