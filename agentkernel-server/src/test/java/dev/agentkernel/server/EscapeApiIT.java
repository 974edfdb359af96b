package dev.agentkernel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentkernel.core.task.TaskSettings;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 12, finding 1, through every interface of the daemon: sandboxed code tries to change
 * a setting of the host's kernel through {@code /proc/sys} (before user namespaces, sandbox root
 * was host root and this worked from one-shot runs, the pool, persistent sandboxes, code
 * sessions, tasks and MCP alike; {@code core_pattern} the same way ran a script as host root).
 * Each test checks the host's own value afterwards.
 */
class EscapeApiIT {

    private static final Path RATELIMIT = Path.of("/proc/sys/kernel/printk_ratelimit");
    @RegisterExtension
    static final DaemonHome HOME = new DaemonHome("ak-escape-it-");
    static ServerFixture fx;
    private String before;

    @BeforeAll
    static void start() throws IOException {
        fx = HOME.start(8, List.of(), 1,
                c -> c.withTasks(TaskConfig.defaults().withSettings(TaskSettings.defaults().withMaxWorkers(1))));
    }

    @BeforeEach
    void rememberTheHostsValue() throws IOException {
        before = Files.readString(RATELIMIT).trim();
    }

    @AfterEach
    void theHostsValueIsUnchanged() throws IOException {
        String after = Files.readString(RATELIMIT).trim();
        if (!after.equals(before)) {
            Files.writeString(RATELIMIT, before);
        }
        assertThat(after).as("host kernel.printk_ratelimit after the sandbox tried to change it").isEqualTo(before);
    }

    /** Python that tries to write another value and prints WROTE or REFUSED. */
    private String attempt() {
        int other = Integer.parseInt(before) + 7;
        return "try:\n    open('/proc/sys/kernel/printk_ratelimit', 'w').write('" + other + "')\n    print('WROTE')\n"
                + "except Exception as e:\n    print('REFUSED', type(e).__name__)\n";
    }

    private static void refused(String output, Object context) {
        assertThat(output).as("%s", context).contains("REFUSED").doesNotContain("WROTE");
    }

    @Test
    void oneShotRunFromThePool() {
        ServerFixture.Response r = fx.run(List.of("python3", "-c", attempt()), Map.of());
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        refused(r.data().path("stdout").asText(), r);
    }

    @Test
    void oneShotRunColdAndRestrictive() {
        ServerFixture.Response r = fx.run(List.of("python3", "-c", attempt()), Map.of("fast", false,
                "profile", "restrictive"));
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        refused(r.data().path("stdout").asText(), r);
    }

    @Test
    void persistentSandbox() {
        ServerFixture.Response created = fx.postJson("/sandboxes", Map.of("name", "escape-probe"));
        assertThat(created.status()).as("%s", created).isIn(200, 201);
        try {
            ServerFixture.Response r = fx.postJson("/sandboxes/escape-probe/exec",
                    Map.of("command", List.of("python3", "-c", attempt())));
            assertThat(r.status()).as("%s", r).isEqualTo(200);
            refused(r.data().path("stdout").asText(), r);
        } finally {
            fx.send(fx.request("/sandboxes/escape-probe").DELETE().build());
        }
    }

    @Test
    void codeSession() {
        ServerFixture.Response r = fx.postJson("/execute", Map.of("code", attempt(), "template", "python"));
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        JsonNode data = r.data();
        refused(data.path("stdout").asText(), r);
        fx.send(fx.request("/sessions/" + data.path("session_id").asText()).DELETE().build());
    }

    @Test
    void backgroundTask() {
        ServerFixture.Response dispatched = fx.postJson("/tasks", Map.of("code", attempt()));
        assertThat(dispatched.status()).as("%s", dispatched).isEqualTo(202);
        String id = dispatched.data().path("task_id").asText();
        ServerFixture.Response done = fx.postJson("/tasks/" + id + "/wait", Map.of("timeout", 60));
        refused(done.data().path("output").asText(), done);
    }

    @Test
    void mcpSandboxRun() {
        try (McpSyncClient client = McpApiIT.client(fx.baseUrl(), null)) {
            Map<String, Object> arguments = new LinkedHashMap<>();
            arguments.put("command", List.of("python3", "-c", attempt()));
            CallToolResult r = client.callTool(new CallToolRequest("sandbox_run", arguments));
            refused(McpApiIT.text(r), r);
        }
    }
}
