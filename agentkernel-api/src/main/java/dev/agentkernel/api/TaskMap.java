package dev.agentkernel.api;

import java.util.Map;

/**
 * MCP {@code list_background_tasks}: task id to task, newest first.
 *
 * @param tasks the tasks
 */
public record TaskMap(Map<String, TaskView> tasks) {
}
