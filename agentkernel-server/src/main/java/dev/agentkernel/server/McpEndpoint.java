package dev.agentkernel.server;

import dev.agentkernel.mcp.AgentKernelMcp;
import dev.agentkernel.mcp.McpServices;
import io.helidon.webserver.http.HttpRouting;
import io.modelcontextprotocol.server.McpSyncServer;
import java.time.Clock;
import java.time.Duration;

/**
 * The MCP server at {@code /mcp}: the tools of the mcp module over {@link McpHttpTransport}, on
 * the same services as the HTTP API and behind the same filter (API keys, drain). Package-private.
 */
final class McpEndpoint implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(McpEndpoint.class.getName());
    /** The SDK logs every handshake at INFO (through SLF4J to java.util.logging); only warnings matter. Held strongly. */
    private static final java.util.logging.Logger SDK_LOG = java.util.logging.Logger.getLogger("io.modelcontextprotocol");
    /** The path it serves. */
    static final String PATH = "/mcp";
    private final McpHttpTransport transport;
    private final McpSyncServer server;

    private McpEndpoint(McpHttpTransport transport, McpSyncServer server) {
        this.transport = transport;
        this.server = server;
    }

    static McpEndpoint start(ApiServices services, Bodies bodies) {
        SDK_LOG.setLevel(java.util.logging.Level.WARNING);
        McpHttpTransport transport = new McpHttpTransport(AgentKernelMcp.jsonMapper(), bodies);
        McpServices tools = new McpServices(services.runs(), services.sandboxes(), services.sessions(), services.tasks(),
                services.tools(), services.images(), services.maxFileBytes(), Clock.systemUTC(), services.snapshots());
        return new McpEndpoint(transport, AgentKernelMcp.server(transport, tools));
    }

    /** The handlers of its routes ({@code POST}, {@code GET} and {@code DELETE /mcp}), by route id. */
    java.util.Map<String, io.helidon.webserver.http.Handler> handlers() {
        java.util.Map<String, io.helidon.webserver.http.Handler> handlers = new java.util.LinkedHashMap<>();
        handlers.put("POST " + PATH, transport::post);
        handlers.put("GET " + PATH, transport::get);
        handlers.put("DELETE " + PATH, transport::delete);
        return handlers;
    }

    /** Ends the listening streams (they last as long as their clients), so that a drain waits only for work. */
    void endListeningStreams() {
        transport.endListeningStreams();
    }

    /** Ends every MCP session. Never throws. */
    @Override
    public void close() {
        try {
            server.closeGracefully();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "closing the MCP server failed: " + e.getMessage());
        }
    }
}
