package dev.agentkernel.mcp;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.json.schema.JsonSchemaValidator;
import io.modelcontextprotocol.json.schema.jackson2.DefaultJsonSchemaValidator;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpStreamableServerTransportProvider;
import java.time.Duration;

/**
 * AgentKernel's MCP server: the {@link ToolCatalog} on the SDK's server, over a streamable
 * transport the caller provides (the daemon's {@code /mcp}).
 *
 * <p>Tool calls run on the thread that delivers the request ({@code immediateExecution}): the
 * daemon's transport runs each request on its own virtual thread, so a call may block for as
 * long as its sandbox runs. Arguments are checked by the tools themselves (clearer messages than
 * a schema validator's), so the SDK's input validation is off.
 */
public final class AgentKernelMcp {

    /** The server's name in the MCP handshake. */
    public static final String SERVER_NAME = "agentkernel";
    /** What the server tells clients about itself. */
    public static final String INSTRUCTIONS = "AgentKernel runs untrusted code in isolated sandboxes on this machine. "
            + "execute_code keeps interpreter state between calls (pass session_id); execute_task and the "
            + "*_background_task tools run Python tasks with a shared /workspace and tool libraries at /tools "
            + "(search_tools); sandbox_* tools run commands in fresh or persistent named sandboxes.";

    private AgentKernelMcp() {
    }

    /** The JSON mapper the SDK uses (Jackson 2). */
    public static McpJsonMapper jsonMapper() {
        return new JacksonMcpJsonMapper(new ObjectMapper());
    }

    /**
     * The validator of structured results against output schemas, named here rather than found
     * through the SDK's service look-up (which depends on how the class path was assembled).
     */
    public static JsonSchemaValidator schemaValidator() {
        return new DefaultJsonSchemaValidator(new ObjectMapper());
    }

    /** The version reported in the handshake: the jar's, or {@code dev} when run from classes. */
    public static String version() {
        String v = AgentKernelMcp.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    /**
     * Builds the server over {@code transport}; the transport starts serving it at once. Close it
     * with {@link McpSyncServer#closeGracefully()}.
     */
    public static McpSyncServer server(McpStreamableServerTransportProvider transport, McpServices services) {
        return McpServer.sync(transport)
                .serverInfo(SERVER_NAME, version())
                .instructions(INSTRUCTIONS)
                .jsonMapper(jsonMapper())
                .jsonSchemaValidator(schemaValidator())
                .capabilities(McpSchema.ServerCapabilities.builder().tools(false).build())
                .requestTimeout(Duration.ofMinutes(1))
                .validateToolInputs(false)
                .immediateExecution(true)
                .tools(ToolCatalog.specifications(services))
                .build();
    }
}
