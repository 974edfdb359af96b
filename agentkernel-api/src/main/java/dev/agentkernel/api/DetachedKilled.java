package dev.agentkernel.api;

/**
 * The MCP {@code background_kill} result.
 *
 * @param process the background process after the kill
 * @param message what happened
 */
public record DetachedKilled(DetachedCommand process, String message) {
}
