package dev.agentkernel.mcp;

import io.modelcontextprotocol.client.McpAsyncClient;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.server.McpAsyncServer;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures.AsyncToolSpecification;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import reactor.core.publisher.Mono;

/**
 * An MCP server on stdin/stdout that mirrors the tools of a daemon's {@code /mcp}: it connects
 * with the SDK's client over the Streamable HTTP transport, lists the daemon's tools once, serves
 * them with the same names, schemas and descriptions, and forwards every call, so that the tools
 * are implemented once, in the daemon. Protocol errors of the daemon (an unknown tool) come back
 * as protocol errors; a daemon that stops answering makes each call an error result.
 *
 * <p>Nothing but the protocol is written to the output stream.
 */
public final class McpMirror implements AutoCloseable {

    private final String url;
    private final McpAsyncClient client;
    private final McpSchema.InitializeResult daemon;
    private final List<Tool> tools;
    private final McpJsonMapper json = AgentKernelMcp.jsonMapper();

    private McpMirror(String url, McpAsyncClient client, McpSchema.InitializeResult daemon, List<Tool> tools) {
        this.url = url;
        this.client = client;
        this.daemon = daemon;
        this.tools = tools;
    }

    /**
     * Opens an MCP session with the daemon at {@code baseUrl} (its endpoint {@code /mcp}) and
     * lists its tools.
     *
     * @param apiKey      sent as {@code Authorization: Bearer KEY}, when given
     * @param callTimeout the longest one forwarded call may take
     * @throws RuntimeException as the SDK reports a daemon that does not answer, refuses the key
     *                          or does not speak MCP (the cause tells which)
     */
    public static McpMirror connect(String baseUrl, Optional<String> apiKey, Duration callTimeout) {
        HttpRequest.Builder request = HttpRequest.newBuilder();
        apiKey.ifPresent(k -> request.header("Authorization", "Bearer " + k));
        HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport.builder(baseUrl)
                .endpoint("/mcp").requestBuilder(request).connectTimeout(Duration.ofSeconds(5))
                .jsonMapper(AgentKernelMcp.jsonMapper()).build();
        McpAsyncClient client = McpClient.async(transport)
                .clientInfo(new McpSchema.Implementation("agentkernel-mcp-stdio", AgentKernelMcp.version()))
                .requestTimeout(callTimeout)
                .initializationTimeout(Duration.ofSeconds(15))
                .jsonSchemaValidator(AgentKernelMcp.schemaValidator())
                .build();
        try {
            McpSchema.InitializeResult daemon = client.initialize().block();
            List<Tool> tools = new ArrayList<>();
            String cursor = null;
            do {
                McpSchema.ListToolsResult page = client.listTools(cursor).block();
                tools.addAll(page.tools());
                cursor = page.nextCursor();
            } while (cursor != null);
            return new McpMirror(baseUrl, client, daemon, List.copyOf(tools));
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
    }

    /** The daemon's tools, as served. */
    public List<Tool> tools() {
        return tools;
    }

    /**
     * Serves the mirrored tools on {@code in}/{@code out} until {@code in} ends (the MCP client
     * closed it), then closes the server.
     */
    public void serve(InputStream in, OutputStream out) throws InterruptedException {
        CountDownLatch ended = new CountDownLatch(1);
        StdioServerTransportProvider stdio = new StdioServerTransportProvider(json, new EndSignalling(in, ended), out);
        McpSchema.Implementation info = daemon.serverInfo() != null ? daemon.serverInfo()
                : new McpSchema.Implementation(AgentKernelMcp.SERVER_NAME, AgentKernelMcp.version());
        McpAsyncServer server = McpServer.async(stdio)
                .serverInfo(info)
                .instructions(daemon.instructions() != null ? daemon.instructions() : AgentKernelMcp.INSTRUCTIONS)
                .jsonMapper(json)
                .jsonSchemaValidator(AgentKernelMcp.schemaValidator())
                .capabilities(McpSchema.ServerCapabilities.builder().tools(false).build())
                .validateToolInputs(false)
                .tools(tools.stream().map(this::forwarding).toList())
                .build();
        try {
            ended.await();
        } finally {
            server.closeGracefully().onErrorComplete().block(Duration.ofSeconds(5));
        }
    }

    private AsyncToolSpecification forwarding(Tool tool) {
        return AsyncToolSpecification.builder().tool(tool)
                .callHandler((exchange, request) -> forward(request))
                .build();
    }

    private Mono<CallToolResult> forward(CallToolRequest request) {
        return client.callTool(request).onErrorResume(e -> !(e instanceof McpError), e -> Mono.just(
                ToolErrors.error("the AgentKernel daemon at " + url + " did not answer the call: " + e.getMessage()
                        + " (is it still running? 'agentkernel daemon status')", dev.agentkernel.api.ErrorCode.DAEMON_UNAVAILABLE)));
    }

    /** Ends the session with the daemon. */
    @Override
    public void close() {
        client.closeGracefully().onErrorComplete().block(Duration.ofSeconds(5));
    }

    /** An input stream that counts {@code ended} down once it ends, fails or is closed. */
    private static final class EndSignalling extends FilterInputStream {
        private final CountDownLatch ended;

        EndSignalling(InputStream in, CountDownLatch ended) {
            super(in);
            this.ended = ended;
        }

        @Override
        public int read() throws IOException {
            return signal(() -> super.read());
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return signal(() -> super.read(b, off, len));
        }

        private int signal(IoRead read) throws IOException {
            try {
                int n = read.get();
                if (n < 0) {
                    ended.countDown();
                }
                return n;
            } catch (IOException | RuntimeException e) {
                ended.countDown();
                throw e;
            }
        }

        @Override
        public void close() throws IOException {
            ended.countDown();
            super.close();
        }

        @FunctionalInterface
        private interface IoRead {
            int get() throws IOException;
        }
    }
}
