package dev.agentkernel.mcp;

import dev.agentkernel.api.ErrorCode;
import dev.agentkernel.core.wire.ErrorCodes;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.TextContent;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one place that turns an error of a tool call into an MCP result: a tool result marked as an
 * error ({@code isError}) whose text is the message, never a JSON-RPC protocol error (those are left
 * to the SDK for unknown tools and malformed requests). It has <em>no</em> structured content: a
 * client checks structured content against the tool's output schema, also on errors (the official
 * TypeScript client throws {@code -32602 Structured content does not match the tool's output
 * schema}), and an error is not a result of that shape. The machine-readable kind, the wire's
 * {@link ErrorCode} ({@code invalid_request}, {@code not_found}, ...: the HTTP API's codes, from the
 * same mapping {@link ErrorCodes}), is in {@code _meta} under {@value #META_KEY} as
 * {@code {"code": kind, "message": message}}.
 */
public final class ToolErrors {

    /** The {@code _meta} key of an error result's code and message. */
    public static final String META_KEY = "dev.agentkernel/error";
    private static final System.Logger LOG = System.getLogger(ToolErrors.class.getName());

    private ToolErrors() {
    }

    /** The error result of {@code tool} failing with {@code e}. */
    public static CallToolResult result(String tool, Throwable e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        ErrorCode code = ErrorCodes.of(e);
        if (code == ErrorCode.INTERNAL) {
            LOG.log(System.Logger.Level.WARNING, "MCP tool " + tool + " failed", e);
        }
        return error(message(e), code);
    }

    /** An error result with {@code message} and the machine-readable {@code code}. */
    static CallToolResult error(String message, ErrorCode code) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code.wire());
        error.put("message", message);
        return CallToolResult.builder().content(List.of(new TextContent(message))).isError(true)
                .meta(Map.of(META_KEY, error)).build();
    }

    /** The code of an error, as {@link ErrorCodes} gives it. */
    static ErrorCode code(Throwable e) {
        return ErrorCodes.of(e);
    }

    /** The message a client sees: ours as written, nothing internal for anything else. */
    static String message(Throwable e) {
        if (ErrorCodes.hasCallerMessage(e)) {
            return e.getMessage();
        }
        if (ErrorCodes.isShutdown(e)) {
            return "the server is shutting down; the call was stopped";
        }
        return "internal error (" + e.getClass().getSimpleName() + "); the daemon's log has the details";
    }
}
