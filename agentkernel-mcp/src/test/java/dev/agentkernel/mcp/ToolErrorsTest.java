package dev.agentkernel.mcp;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.Map;
import org.junit.jupiter.api.Test;

class ToolErrorsTest {

    static String text(CallToolResult r) {
        return ((TextContent) r.content().getFirst()).text();
    }

    @Test
    void everyKindOfErrorIsAnErrorResultWithItsMessageAndCode() {
        Map<Throwable, String> kinds = Map.of(
                new InvalidRequestException("bad"), "invalid_request",
                new NotFoundException("sandbox 'x' not found"), "not_found",
                new SessionNotFoundException("session 'ses-1' not found"), "session_not_found",
                new ConflictException("stopped"), "conflict",
                new PermissionDeniedException("outside"), "permission_denied",
                new ResourceExhaustedException("full"), "resource_exhausted",
                new BackendUnavailableException("no bwrap"), "backend_unavailable",
                new SandboxFailureException("broke"), "sandbox_failure",
                new CodeExecutionException("no interpreter"), "code_execution_failed");
        kinds.forEach((e, code) -> {
            CallToolResult r = ToolErrors.result("a_tool", e);
            assertThat(r.isError()).as(code).isTrue();
            assertThat(text(r)).as(code).isEqualTo(e.getMessage());
            assertThat(r.structuredContent()).as("no structured content: it would not match the output schema").isNull();
            assertThat(r.meta()).as(code).isEqualTo(Map.of(ToolErrors.META_KEY,
                    Map.of("code", code, "message", e.getMessage())));
        });
    }

    @Test
    void anUnexpectedErrorSaysNothingInternal() {
        CallToolResult r = ToolErrors.result("a_tool", new IllegalStateException("secret /host/path"));
        assertThat(r.isError()).isTrue();
        assertThat(text(r)).doesNotContain("secret").contains("internal error");
        assertThat(r.meta()).asString().contains("internal");
    }

    @Test
    void anInterruptionIsAShutdownAndKeepsTheFlag() {
        try {
            CallToolResult r = ToolErrors.result("a_tool", new InterruptedException());
            assertThat(text(r)).contains("shutting down");
            assertThat(r.meta()).asString().contains("shutting_down");
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }
}
