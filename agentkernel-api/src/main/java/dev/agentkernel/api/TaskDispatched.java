package dev.agentkernel.api;

/**
 * MCP {@code dispatch_background_task}.
 *
 * @param taskId the task's id
 * @param status its initial status (always {@code running})
 */
public record TaskDispatched(String taskId, String status) {
}
