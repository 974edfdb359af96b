package dev.agentkernel.api;

/**
 * MCP {@code cancel_background_task}.
 *
 * @param success whether this call stopped it
 * @param message what happened
 */
public record TaskCancelled(boolean success, String message) {
}
