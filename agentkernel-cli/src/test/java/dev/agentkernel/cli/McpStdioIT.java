package dev.agentkernel.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.agentkernel.cli.Launcher.Outcome;
import dev.agentkernel.mcp.AgentKernelMcp;
import dev.agentkernel.mcp.ToolCatalog;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.TextContent;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code agentkernel mcp} through the real launcher as a subprocess, driven by the official MCP
 * Java SDK's client over the stdio transport, against a real daemon: the daemon's tools mirrored
 * with the same schemas, calls forwarded (results, error results, protocol errors), stdout
 * carrying nothing but the protocol, exit 69 without a daemon and 77 for a refused key.
 */
class McpStdioIT {

    @RegisterExtension
    static final LauncherDaemon FX = new LauncherDaemon("ak-mcp-stdio-it-");

    @BeforeAll
    static void start() throws IOException {
        TestDaemon.assumeSandboxHost();
        FX.start();
    }

    /** The environment of an {@code agentkernel mcp} process: private directories, Java, the key if given. */
    static Map<String, String> environment(String apiKey) {
        Map<String, String> env = new LinkedHashMap<>();
        for (String name : List.of("PATH", "HOME", "JAVA_HOME", "LANG")) {
            String value = System.getenv(name);
            if (value != null) {
                env.put(name, value);
            }
        }
        env.put("AGENTKERNEL_STATE_DIR", FX.launcher().stateDir.toString());
        env.put("AGENTKERNEL_RUNTIME_DIR", FX.launcher().runtimeDir.toString());
        if (apiKey != null) {
            env.put("AGENTKERNEL_API_KEY", apiKey);
        }
        return env;
    }

    /** An initialized client of {@code agentkernel mcp --url URL}, its stderr collected into {@code stderr}. */
    static McpSyncClient stdioClient(String url, String apiKey, List<String> stderr) {
        ServerParameters params = ServerParameters.builder(Launcher.SCRIPT.toString()).args("mcp", "--url", url)
                .env(environment(apiKey)).build();
        StdioClientTransport transport = new StdioClientTransport(params, AgentKernelMcp.jsonMapper());
        transport.setStdErrorHandler(line -> {
            synchronized (stderr) {
                stderr.add(line);
            }
        });
        McpSyncClient client = McpClient.sync(transport).requestTimeout(Duration.ofMinutes(2))
                .initializationTimeout(Duration.ofMinutes(3)).build();
        client.initialize();
        return client;
    }

    static String text(CallToolResult r) {
        return r.content().stream().filter(TextContent.class::isInstance).map(c -> ((TextContent) c).text())
                .collect(Collectors.joining("\n"));
    }

    @Test
    void mirrorsTheDaemonsToolsAndForwardsCalls() {
        List<String> stderr = new ArrayList<>();
        McpSyncClient stdio = stdioClient(FX.daemon().url(), null, stderr);
        McpSyncClient http = McpClient.sync(HttpClientStreamableHttpTransport.builder(FX.daemon().url()).endpoint("/mcp")
                .build())
                .requestTimeout(Duration.ofMinutes(1)).build();
        try {
            http.initialize();
            assertThat(stdio.getCurrentInitializationResult().serverInfo().name()).isEqualTo(AgentKernelMcp.SERVER_NAME);
            List<Tool> mirrored = stdio.listTools().tools();
            assertThat(mirrored).extracting(Tool::name).containsExactlyElementsOf(ToolCatalog.NAMES);
            Map<String, Tool> direct = http.listTools().tools().stream().collect(Collectors.toMap(Tool::name, t -> t));
            for (Tool t : mirrored) {
                assertThat(t.inputSchema()).as(t.name()).isEqualTo(direct.get(t.name()).inputSchema());
                assertThat(t.outputSchema()).as(t.name()).isEqualTo(direct.get(t.name()).outputSchema());
                assertThat(t.description()).as(t.name()).isEqualTo(direct.get(t.name()).description());
            }

            CallToolResult ran = stdio.callTool(new CallToolRequest("sandbox_run", Map.of("command", List.of("echo", "via stdio"))));
            assertThat(ran.isError()).as(text(ran)).isFalse();
            assertThat(ran.structuredContent()).asString().contains("via stdio");

            CallToolResult first = stdio.callTool(new CallToolRequest("execute_code", Map.of("code", "x = 6")));
            String session = (String) ((Map<?, ?>) first.structuredContent()).get("session_id");
            CallToolResult second = stdio.callTool(new CallToolRequest("execute_code",
                    Map.of("code", "print(x * 7)", "session_id", session)));
            assertThat(((Map<?, ?>) second.structuredContent()).get("stdout")).isEqualTo("42\n");

            CallToolResult raised = stdio.callTool(new CallToolRequest("execute_code",
                    Map.of("code", "raise KeyError('missing')", "session_id", session)));
            assertThat(raised.isError()).isTrue();
            assertThat(text(raised)).startsWith("KeyError");

            CallToolResult bad = stdio.callTool(new CallToolRequest("wait_for_background_task", Map.of()));
            assertThat(bad.isError()).isTrue();
            assertThat(text(bad)).contains("task_id is required");

            assertThatThrownBy(() -> stdio.callTool(new CallToolRequest("no_such_tool", Map.of())))
                    .isInstanceOf(McpError.class);
            assertThat(stdio.callTool(new CallToolRequest("stop_session", Map.of("session_id", session))).isError()).isFalse();
        } finally {
            http.closeGracefully();
            stdio.closeGracefully();
        }
        synchronized (stderr) {
            assertThat(stderr).as("diagnostics go to stderr").anyMatch(l -> l.contains("serving " + ToolCatalog.NAMES.size() + " MCP tools"));
        }
    }

    @Test
    void withoutADaemonItSaysSoOnStderrAndExits69() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Outcome o = FX.launcher().run(FX.dir(), null, Map.of(), Duration.ofMinutes(3),
                List.of("mcp", "--url", "http://127.0.0.1:" + port));
        assertThat(o.exitCode()).as(o.describe()).isEqualTo(ExitCodes.NO_DAEMON);
        assertThat(o.stdout()).as("nothing but the protocol on stdout").isEmpty();
        assertThat(o.stderr()).contains("no AgentKernel daemon answers at http://127.0.0.1:" + port);
    }

    @Test
    void theApiKeyIsSentAndARefusedKeyExits77() throws IOException {
        try (TestDaemon keyed = TestDaemon.start(List.of("stdio-key-1"))) {
            Outcome refused = FX.launcher().run(FX.dir(), null, Map.of("AGENTKERNEL_API_KEY", "wrong"),
                    Duration.ofMinutes(3), List.of("mcp", "--url", keyed.url()));
            assertThat(refused.exitCode()).as(refused.describe()).isEqualTo(ExitCodes.AUTHENTICATION);
            assertThat(refused.stdout()).isEmpty();
            assertThat(refused.stderr()).contains("refused the API key");

            McpSyncClient client = stdioClient(keyed.url(), "stdio-key-1", new ArrayList<>());
            try {
                assertThat(client.listTools().tools()).hasSize(ToolCatalog.NAMES.size());
            } finally {
                client.closeGracefully();
            }
        }
    }
}
