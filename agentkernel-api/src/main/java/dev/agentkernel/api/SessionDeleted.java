package dev.agentkernel.api;

/**
 * {@code DELETE /sessions/ID}, MCP {@code stop_session}.
 *
 * @param sessionId the session
 * @param deleted   always true
 */
public record SessionDeleted(String sessionId, boolean deleted) {
}
