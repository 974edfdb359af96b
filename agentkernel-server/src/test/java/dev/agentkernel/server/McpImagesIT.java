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
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The MCP tools {@code image_pull} and {@code image_list} at {@code /mcp}, through the official MCP
 * Java SDK's client (as {@link McpApiIT}), against a real daemon and a real registry on loopback
 * ({@link TestImages}): their schemas, results that match their output schemas, and error results
 * with the codes of the HTTP API.
 */
class McpImagesIT {

    static ServerFixture fx;
    static McpSyncClient client;
    static TestImages images;

    @BeforeAll
    static void start() throws Exception {
        ServerFixture.assumeSandboxHost();
        images = TestImages.get();
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

    static Map<String, Tool> tools() {
        return client.listTools().tools().stream().collect(Collectors.toMap(Tool::name, Function.identity()));
    }

    /** A successful result whose structured content matches the tool's output schema. */
    static Map<String, Object> ok(String tool, Map<String, Object> arguments) {
        CallToolResult r = call(tool, arguments);
        assertThat(r.isError()).as("%s: %s", tool, McpApiIT.text(r)).isFalse();
        Map<String, Object> content = McpApiIT.structured(r);
        assertThat(new SchemaCheck(Map.of()).problems(WireJson.tree(content), tools().get(tool).outputSchema()))
                .as("%s: %s", tool, content).isEmpty();
        return content;
    }

    @Test
    void theToolsAreListedWithTheirSchemas() {
        Map<String, Tool> tools = tools();
        McpApiIT.assertSchema(tools.get("image_pull"), List.of("image", "policy"), List.of("image"));
        McpApiIT.assertSchema(tools.get("image_list"), List.of(), List.of());
        assertThat(tools.get("image_list").annotations().readOnlyHint()).isTrue();
        assertThat(tools.get("image_pull").annotations().readOnlyHint()).isFalse();
        assertThat(tools.get("image_pull").outputSchema()).containsEntry("type", "object");
    }

    @Test
    void pullThenList() {
        String base = images.ref(images.plain, "test/base:1");
        Map<String, Object> pulled = ok("image_pull", Map.of("image", base));
        assertThat(pulled).containsEntry("reference", base).containsKeys("digest", "platform", "size", "layers",
                "stored_at");
        assertThat((String) pulled.get("digest")).matches("sha256:[0-9a-f]{64}");
        assertThat(((Number) pulled.get("size")).longValue()).isPositive();
        assertThat(ok("image_pull", Map.of("image", base, "policy", "never"))).isEqualTo(pulled);

        Map<String, Object> listed = ok("image_list", Map.of());
        assertThat(listed.get("images")).asList().contains(pulled);
        assertThat(fx.daemon.images().find(base)).isPresent();
    }

    @Test
    void sandboxRunAndSandboxCreateRunOnTheImageTheyName() {
        String derived = images.ref(images.plain, "test/derived:1");
        Map<String, Object> ran = ok("sandbox_run", Map.of("command", List.of("cat", "/app/hello.txt", "/etc/os-release"),
                "image", derived));
        assertThat((String) ran.get("stdout")).startsWith("hello from derived\n").contains("ID=akbusybox");

        String name = "mcp-img-" + (System.nanoTime() % 100_000);
        ok("sandbox_create", Map.of("name", name, "image", derived));
        try {
            assertThat(ok("sandbox_exec", Map.of("name", name, "command", "grep ^ID= /etc/os-release")))
                    .containsEntry("stdout", "ID=akbusybox\n");
        } finally {
            ok("sandbox_remove", Map.of("name", name));
        }
    }

    @Test
    void aPullReportsOneProgressStepPerLayerToAClientThatAsks() {
        List<io.modelcontextprotocol.spec.McpSchema.ProgressNotification> notes =
                java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        var transport = io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport
                .builder(fx.baseUrl()).endpoint("/mcp").build();
        McpSyncClient progressClient = io.modelcontextprotocol.client.McpClient.sync(transport)
                .requestTimeout(java.time.Duration.ofMinutes(2)).progressConsumer(notes::add).build();
        try {
            progressClient.initialize();
            String zstd = images.ref(images.plain, "test/zstd:1");
            CallToolResult r = progressClient.callTool(new CallToolRequest("image_pull",
                    Map.of("image", zstd, "policy", "always"), Map.of("progressToken", "pull-1")));
            assertThat(r.isError()).as("%s", McpApiIT.text(r)).isFalse();
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (notes.size() < 4 && System.nanoTime() < deadline) {
                ServerFixture.sleep(20);
            }
            assertThat(notes).as("%s", notes).hasSize(4); // resolved, then one per layer of 3
            assertThat(notes).allSatisfy(n -> assertThat(n.progressToken()).isEqualTo("pull-1"));
            // sent in order, one step each; the Java client may hand them to its consumer out of order
            assertThat(notes).extracting(n -> n.progress()).containsExactlyInAnyOrder(0.0, 1.0, 2.0, 3.0);
            assertThat(notes).allSatisfy(n -> assertThat(n.total()).isEqualTo(3.0));
            assertThat(notes).filteredOn(n -> n.progress() == 0.0).singleElement()
                    .satisfies(n -> assertThat(n.message()).startsWith("resolved " + zstd));
            assertThat(notes).filteredOn(n -> n.progress() > 0.0)
                    .allSatisfy(n -> assertThat(n.message()).startsWith("layer sha256:"));
        } finally {
            progressClient.closeGracefully();
        }
    }

    @Test
    void mistakesAreErrorResultsWithTheirCodes() {
        CallToolResult bad = call("image_pull", Map.of("image", "Bad Name:!"));
        assertThat(McpApiIT.errorCode(bad)).isEqualTo("invalid_request");
        assertThat(McpApiIT.text(bad)).contains("Bad Name:!").doesNotContain("Exception");

        CallToolResult policy = call("image_pull", Map.of("image", "busybox", "policy", "sometimes"));
        assertThat(McpApiIT.errorCode(policy)).isEqualTo("invalid_request");
        assertThat(McpApiIT.text(policy)).contains("sometimes");

        assertThat(McpApiIT.errorCode(call("image_pull", Map.of()))).isEqualTo("invalid_request");

        String unknown = images.ref(images.plain, "test/nosuch:1");
        CallToolResult missing = call("image_pull", Map.of("image", unknown));
        assertThat(McpApiIT.errorCode(missing)).isEqualTo("not_found");
        assertThat(McpApiIT.text(missing)).contains(unknown);
    }
}
