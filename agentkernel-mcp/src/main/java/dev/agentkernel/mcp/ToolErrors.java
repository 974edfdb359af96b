package dev.agentkernel.mcp;

import dev.agentkernel.model.AgentKernelException;
import dev.agentkernel.model.BackendUnavailableException;
import dev.agentkernel.model.CodeExecutionException;
import dev.agentkernel.model.ConflictException;
import dev.agentkernel.model.InvalidRequestException;
import dev.agentkernel.model.NotFoundException;
import dev.agentkernel.model.PermissionDeniedException;
import dev.agentkernel.model.ResourceExhaustedException;
import dev.agentkernel.model.SandboxFailureException;
import dev.agentkernel.model.SessionNotFoundException;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.TextContent;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one place that turns an error of a tool call into an MCP result: a tool result marked as an
 * error ({@code isError}) whose text is the message, with {@code {"error": message, "code": kind}}
 * as structured content, never a JSON-RPC protocol error (those are left to the SDK for unknown
 * tools and malformed requests). The kinds are the HTTP API's ({@code invalid_request},
 * {@code not_found}, ...).
 */
public final class ToolErrors {

    private static final System.Logger LOG = System.getLogger(ToolErrors.class.getName());

    private ToolErrors() {
    }

    /** The error result of {@code tool} failing with {@code e}. */
    public static CallToolResult result(String tool, Throwable e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        String code = code(e);
        if (code.equals("internal")) {
            LOG.log(System.Logger.Level.WARNING, "MCP tool " + tool + " failed", e);
        }
        return error(message(e), code);
    }

    /** An error result with {@code message} and the machine-readable {@code code}. */
    static CallToolResult error(String message, String code) {
        Map<String, Object> structured = new LinkedHashMap<>();
        structured.put("error", message);
        structured.put("code", code);
        return CallToolResult.builder().content(List.of(new TextContent(message))).structuredContent(structured)
                .isError(true).build();
    }

    /**
     * The stable kind of an error: {@code invalid_request}, {@code not_found},
     * {@code session_not_found}, {@code conflict}, {@code permission_denied},
     * {@code resource_exhausted}, {@code backend_unavailable}, {@code sandbox_failure},
     * {@code code_execution_failed}, {@code shutting_down} or {@code internal}.
     */
    static String code(Throwable e) {
        if (e instanceof AgentKernelException ak) {
            return switch (ak) {
                case InvalidRequestException x -> "invalid_request";
                case SessionNotFoundException x -> "session_not_found";
                case NotFoundException x -> "not_found";
                case CodeExecutionException x -> "code_execution_failed";
                case ConflictException x -> "conflict";
                case PermissionDeniedException x -> "permission_denied";
                case ResourceExhaustedException x -> "resource_exhausted";
                case BackendUnavailableException x -> "backend_unavailable";
                case SandboxFailureException x -> "sandbox_failure";
                default -> "internal";
            };
        }
        return isShutdown(e) ? "shutting_down" : "internal";
    }

    /** The message a client sees: ours as written, nothing internal for anything else. */
    static String message(Throwable e) {
        if (e instanceof AgentKernelException) {
            return e.getMessage();
        }
        if (isShutdown(e)) {
            return "the server is shutting down; the call was stopped";
        }
        return "internal error (" + e.getClass().getSimpleName() + "); the daemon's log has the details";
    }

    private static boolean isShutdown(Throwable e) {
        return e instanceof InterruptedException || e.getCause() instanceof InterruptedException;
    }
}
