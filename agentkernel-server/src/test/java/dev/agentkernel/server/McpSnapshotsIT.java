package dev.agentkernel.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentkernel.api.SchemaCheck;
import dev.agentkernel.api.WireJson;
import dev.agentkernel.image.TestImages;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The MCP snapshot tools ({@code sandbox_snapshot}, {@code snapshot_list}, {@code sandbox_fork},
 * {@code snapshot_restore}, {@code snapshot_delete}, {@code sandbox_create} with {@code snapshot}) at
 * {@code /mcp}, through the official MCP Java SDK's client, against a real daemon and real sandboxes on
 * a real image (from a registry on loopback, {@link TestImages}): results that match their output
 * schemas, the files a snapshot keeps, and the HTTP API's error codes.
 */
class McpSnapshotsIT {

    static ServerFixture fx;
    static McpSyncClient client;
    static String base;

    @BeforeAll
    static void start() throws Exception {
        ServerFixture.assumeSandboxHost();
        TestImages images = TestImages.get();
        base = images.ref(images.plain, "test/base:1");
        fx = ServerFixture.start(8, List.of());
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

    /** A successful result whose structured content matches the tool's output schema. */
    private static Map<String, Object> ok(String tool, Map<String, Object> arguments) {
        CallToolResult r = call(tool, arguments);
        assertThat(r.isError()).as("%s: %s", tool, McpApiIT.text(r)).isFalse();
        Map<String, Object> content = McpApiIT.structured(r);
        Tool t = client.listTools().tools().stream().filter(x -> x.name().equals(tool)).findFirst().orElseThrow();
        assertThat(new SchemaCheck(Map.of()).problems(WireJson.tree(content), t.outputSchema()))
                .as("%s: %s", tool, content).isEmpty();
        return content;
    }

    private static CallToolResult call(String tool, Map<String, Object> arguments) {
        return client.callTool(new CallToolRequest(tool, arguments));
    }

    @Test
    void theToolsAreListedWithTheirSchemas() {
        Map<String, Tool> tools = client.listTools().tools().stream()
                .collect(Collectors.toMap(Tool::name, Function.identity()));
        McpApiIT.assertSchema(tools.get("sandbox_snapshot"), List.of("name", "snapshot"), List.of("name"));
        McpApiIT.assertSchema(tools.get("snapshot_list"), List.of(), List.of());
        McpApiIT.assertSchema(tools.get("snapshot_restore"), List.of("snapshot", "into"), List.of("snapshot"));
        McpApiIT.assertSchema(tools.get("snapshot_delete"), List.of("snapshot"), List.of("snapshot"));
        McpApiIT.assertSchema(tools.get("sandbox_fork"), List.of("name", "count", "names"), List.of("name"));
        assertThat(tools.get("snapshot_list").annotations().readOnlyHint()).isTrue();
        assertThat(tools.get("sandbox_create").inputSchema().get("properties")).asString().contains("snapshot");
    }

    @Test
    void snapshotThenForkThenRestoreThroughTheTools() {
        String src = "mcp-snap-" + (System.nanoTime() % 100_000);
        List<String> made = new ArrayList<>(List.of(src));
        try {
            ok("sandbox_create", Map.of("name", src, "image", base));
            ok("sandbox_exec", Map.of("name", src, "command", "echo kept > /workspace/kept.txt"));

            Map<String, Object> snap = ok("sandbox_snapshot", Map.of("name", src, "snapshot", src + "-s"));
            assertThat(snap).containsEntry("name", src + "-s").containsEntry("sandbox", src);
            assertThat((String) snap.get("image_tag")).startsWith("agentkernel.local/snapshots:" + src + "-s@sha256:");
            assertThat(ok("snapshot_list", Map.of()).get("snapshots")).asList().contains(snap);
            ok("sandbox_exec", Map.of("name", src, "command", "echo later > /workspace/kept.txt"));

            Map<String, Object> fork = ok("sandbox_fork", Map.of("name", src, "count", 2));
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> forks = (List<Map<String, Object>>) fork.get("sandboxes");
            assertThat(forks).extracting(s -> s.get("name")).containsExactly(src + "-1", src + "-2");
            forks.forEach(s -> made.add((String) s.get("name")));
            for (Map<String, Object> f : forks) {
                assertThat(ok("sandbox_exec", Map.of("name", f.get("name"), "command", "cat /workspace/kept.txt")))
                        .as("%s", f.get("name")).containsEntry("stdout", "later\n");
            }
            @SuppressWarnings("unchecked")
            String forkSnapshot = (String) ((Map<String, Object>) fork.get("snapshot")).get("name");

            String child = src + "-c";
            made.add(child);
            Map<String, Object> created = ok("sandbox_create", Map.of("name", child, "snapshot", src + "-s"));
            assertThat(created).containsEntry("image", snap.get("image_tag"));
            assertThat(ok("sandbox_exec", Map.of("name", child, "command", "cat /workspace/kept.txt")))
                    .containsEntry("stdout", "kept\n");

            assertThat(ok("snapshot_restore", Map.of("snapshot", src + "-s"))).containsEntry("name", src);
            assertThat(ok("sandbox_exec", Map.of("name", src, "command", "cat /workspace/kept.txt")))
                    .containsEntry("stdout", "kept\n");

            CallToolResult inUse = call("snapshot_delete", Map.of("snapshot", src + "-s"));
            assertThat(inUse.isError()).isTrue();
            assertThat(McpApiIT.errorCode(inUse)).isEqualTo("conflict");
            CallToolResult none = call("snapshot_restore", Map.of("snapshot", "no-such-snapshot"));
            assertThat(McpApiIT.errorCode(none)).isEqualTo("not_found");

            for (String name : made) {
                ok("sandbox_remove", Map.of("name", name));
            }
            made.clear();
            assertThat(ok("snapshot_delete", Map.of("snapshot", src + "-s"))).containsEntry("deleted", true);
            ok("snapshot_delete", Map.of("snapshot", forkSnapshot));
            assertThat(ok("snapshot_list", Map.of()).get("snapshots")).asList().isEmpty();
        } finally {
            for (String name : made) {
                call("sandbox_remove", Map.of("name", name));
            }
        }
    }
}
