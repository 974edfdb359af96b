package dev.agentkernel.api;

/**
 * The MCP {@code sandbox_remove} result.
 *
 * @param name    the sandbox
 * @param removed always true
 * @param message what happened
 */
public record SandboxRemoved(String name, boolean removed, String message) {
}
