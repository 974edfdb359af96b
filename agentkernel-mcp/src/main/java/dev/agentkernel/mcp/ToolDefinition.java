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
        return call(arguments, Arguments.Progress.NONE);
    }

    /** Runs a call that reports its progress to {@code progress}. */
    CallToolResult call(java.util.Map<String, Object> arguments, Arguments.Progress progress) {
        try {
            return handler.call(Arguments.of(name, arguments, input.names(), progress));
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
        return SyncToolSpecification.builder().tool(tool())
                .callHandler((exchange, request) -> call(request.arguments(), progress(exchange, request)))
                .build();
    }

    /** Progress notifications to the client, if it asked for them with a {@code progressToken}. */
    private static Arguments.Progress progress(io.modelcontextprotocol.server.McpSyncServerExchange exchange,
                                               io.modelcontextprotocol.spec.McpSchema.CallToolRequest request) {
        Object token = request.meta() == null ? null : request.meta().get("progressToken");
        if (token == null) {
            return Arguments.Progress.NONE;
        }
        return (done, total, message) -> {
            try {
                exchange.progressNotification(new io.modelcontextprotocol.spec.McpSchema.ProgressNotification(token,
                        done, total, message));
            } catch (RuntimeException e) {
                // a client that left or cannot take notifications: the call goes on
            }
        };
    }
}
