package dev.agentkernel.api;

import java.util.List;

/**
 * The MCP {@code sandbox_list} result (the HTTP {@code GET /sandboxes} answers the bare array).
 *
 * @param sandboxes the sandboxes
 */
public record SandboxList(List<SandboxView> sandboxes) {
    public SandboxList {
        sandboxes = Check.list(sandboxes, "sandboxes");
    }
}
