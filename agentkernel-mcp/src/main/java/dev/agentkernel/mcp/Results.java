package dev.agentkernel.mcp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentkernel.api.WireJson;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.TextContent;
import java.util.List;
import java.util.Map;

/**
 * Tool results: the structured content (a record of the contract, mapped by {@link WireJson}) and, as the MCP
 * specification recommends for clients that read only text, the same JSON as text.
 * Package-private.
 */
final class Results {

    private static final ObjectMapper JSON = WireJson.mapper();

    private Results() {
    }

    /** A successful result carrying {@code data}, a record of the contract. */
    static CallToolResult ok(Object data) {
        return CallToolResult.builder().content(List.of(new TextContent(text(data)))).structuredContent(map(data))
                .isError(false).build();
    }

    /**
     * The result of the user's code or command failing: an error result whose text starts with
     * {@code message} and still carries everything a success would (output, the session to go on in).
     */
    static CallToolResult failed(String message, Object data) {
        return CallToolResult.builder().content(List.of(new TextContent(message + "\n" + text(data))))
                .structuredContent(map(data)).isError(true).build();
    }

    private static Map<String, Object> map(Object data) {
        return JSON.convertValue(data, new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() {
        });
    }

    private static String text(Object data) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(data);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
