package dev.agentkernel.mcp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.TextContent;
import java.util.List;
import java.util.Map;

/**
 * Tool results: the structured content (the HTTP API's JSON shapes) and, as the MCP
 * specification recommends for clients that read only text, the same JSON as text.
 * Package-private.
 */
final class Results {

    static final ObjectMapper JSON = new ObjectMapper();

    private Results() {
    }

    static ObjectNode object() {
        return JSON.createObjectNode();
    }

    /** A successful result carrying {@code data}. */
    static CallToolResult ok(ObjectNode data) {
        return CallToolResult.builder().content(List.of(new TextContent(text(data)))).structuredContent(map(data))
                .isError(false).build();
    }

    /**
     * The result of the user's code or command failing: an error result whose text starts with
     * {@code message} and still carries everything a success would (output, the session to go on in).
     */
    static CallToolResult failed(String message, ObjectNode data) {
        return CallToolResult.builder().content(List.of(new TextContent(message + "\n" + text(data))))
                .structuredContent(map(data)).isError(true).build();
    }

    private static Map<String, Object> map(ObjectNode data) {
        return JSON.convertValue(data, new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() {
        });
    }

    private static String text(ObjectNode data) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(data);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
