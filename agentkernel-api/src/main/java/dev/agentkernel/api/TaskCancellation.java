package dev.agentkernel.api;

/**
 * {@code POST /tasks/ID/cancel}.
 *
 * @param success whether this call stopped it
 * @param message what happened
 * @param task    the task afterwards
 */
public record TaskCancellation(boolean success, String message, TaskView task) {
}
