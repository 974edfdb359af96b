package dev.agentkernel.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentkernel.api.SchemaCheck;
import dev.agentkernel.api.WireJson;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The MCP background-process tools ({@code background_start}, {@code background_list}, {@code background_logs},
 * {@code background_kill}) at {@code /mcp} through the official MCP Java SDK's client, against a real daemon
 * and real sandboxes: results that match their output schemas, a kill that takes the children, error codes.
 */
class McpBackgroundIT {

    static ServerFixture fx;
    static McpSyncClient client;

    @BeforeAll
    static void start() throws Exception {
        ServerFixture.assumeSandboxHost();
        fx = ServerFixture.start(4, List.of());
        client = McpApiIT.client(fx.baseUrl(), null);
    }

    @AfterAll
    static void stop() throws IOException {
        if (client != null) {
            client.closeGracefully();
        }
        if (fx != null) {
            fx.close();
        }
    }

    static CallToolResult call(String tool, Map<String, Object> arguments) {
        return client.callTool(new CallToolRequest(tool, arguments));
    }

    /** A successful result whose structured content matches the tool's output schema. */
    static Map<String, Object> ok(String tool, Map<String, Object> arguments) {
        CallToolResult r = call(tool, arguments);
        assertThat(r.isError()).as("%s: %s", tool, McpApiIT.text(r)).isFalse();
        Map<String, Object> content = McpApiIT.structured(r);
        Map<String, Tool> tools = client.listTools().tools().stream().collect(Collectors.toMap(Tool::name, Function.identity()));
        assertThat(new SchemaCheck(Map.of()).problems(WireJson.tree(content), tools.get(tool).outputSchema()))
                .as("%s: %s", tool, content).isEmpty();
        return content;
    }

    @Test
    @SuppressWarnings("unchecked")
    void startListLogsAndKillThroughTheTools() {
        String box = "mcp-bg";
        ok("sandbox_create", McpApiIT.args("name", box));
        try {
            Map<String, Object> started = ok("background_start", McpApiIT.args("name", box,
                    "command", "echo hello $WHO; echo oops >&2; exit 6", "env", List.of("WHO=mcp")));
            String id = (String) started.get("id");
            Map<String, Object> logs = ok("background_logs", McpApiIT.args("name", box, "id", id, "wait", 30));
            Map<String, Object> process = (Map<String, Object>) logs.get("process");
            assertThat(process.get("status")).isEqualTo("failed");
            assertThat(((Number) process.get("exit_code")).intValue()).isEqualTo(6);
            assertThat(logs.get("stdout")).isEqualTo("hello mcp\n");
            assertThat(logs.get("stderr")).isEqualTo("oops\n");

            Map<String, Object> sleeper = ok("background_start", McpApiIT.args("name", box,
                    "command", List.of("sh", "-c", "sleep 1008 & sleep 1008; wait")));
            Map<String, Object> list = ok("background_list", McpApiIT.args("name", box));
            assertThat((List<Map<String, Object>>) list.get("processes")).extracting(p -> p.get("status"))
                    .containsExactly("failed", "running");
            Map<String, Object> killed = ok("background_kill", McpApiIT.args("name", box, "id", sleeper.get("id")));
            Map<String, Object> after = (Map<String, Object>) killed.get("process");
            assertThat(((Number) after.get("exit_code")).intValue()).isEqualTo(137);
            Map<String, Object> left = ok("sandbox_exec", McpApiIT.args("name", box, "command",
                    "n=0; for p in /proc/[0-9]*; do if tr '\\0' ' ' < $p/cmdline 2>/dev/null | grep -q 'sleep 100[8]'; "
                            + "then n=$((n+1)); fi; done; echo $n"));
            assertThat(((String) left.get("stdout")).strip()).as("processes of the killed group").isEqualTo("0");

            assertThat(McpApiIT.errorCode(call("background_logs", McpApiIT.args("name", box, "id", "nope"))))
                    .isEqualTo("not_found");
            assertThat(McpApiIT.errorCode(call("background_list", McpApiIT.args("name", "mcp-none")))).isEqualTo("not_found");
            ok("sandbox_stop", McpApiIT.args("name", box));
            assertThat(McpApiIT.errorCode(call("background_start", McpApiIT.args("name", box, "command", "true"))))
                    .isEqualTo("conflict");
        } finally {
            call("sandbox_remove", McpApiIT.args("name", box));
        }
    }
}
