package dev.agentkernel.mcp;

import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.Tool;
import io.modelcontextprotocol.spec.McpSchema.ToolAnnotations;
import java.util.Objects;

/**
 * One tool: its name, description, input schema, the contract record of its structured result (its
 * output schema is made from that record, so results always match it), and what a call does. A call's
 * arguments are checked against the input schema's property names; whatever the handler throws
 * becomes an error result through {@link ToolErrors}. Package-private.
 *
 * @param effect what calling it changes (hints to clients)
 */
record ToolDefinition(String name, String title, String description, Schema input, Class<?> output, Effect effect,
                      Handler handler) {

    /** What a call changes. */
    enum Effect {
        /** Nothing: it only reads. */
        READS,
        /** It creates or runs something, destroying nothing. */
        ADDS,
        /** It may destroy something (a sandbox, a session, a file's content, a running task). */
        DESTROYS
    }

    /** What a call does with its validated arguments. */
    @FunctionalInterface
    interface Handler {
        CallToolResult call(Arguments args) throws Exception;
    }

    ToolDefinition {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(effect, "effect");
        Objects.requireNonNull(handler, "handler");
    }

    /** Runs a call: validation, the handler, errors as error results. */
    CallToolResult call(java.util.Map<String, Object> arguments) {
        try {
            return handler.call(Arguments.of(name, arguments, input.names()));
        } catch (Exception | StackOverflowError e) {
            return ToolErrors.result(name, e);
        }
    }

    Tool tool() {
        return Tool.builder().name(name).title(title).description(description).inputSchema(input.toMap())
                .outputSchema(dev.agentkernel.api.JsonSchemas.inline(output))
                .annotations(new ToolAnnotations(title, effect == Effect.READS, effect == Effect.DESTROYS,
                        effect == Effect.READS, false, null))
                .build();
    }

    SyncToolSpecification specification() {
        return SyncToolSpecification.builder().tool(tool()).callHandler((exchange, request) -> call(request.arguments()))
                .build();
    }
}
