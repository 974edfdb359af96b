package dev.agentkernel.api;

import java.util.List;

/**
 * {@code GET /sessions}, MCP {@code list_sessions}.
 *
 * @param sessions the sessions
 */
public record SessionList(List<SessionView> sessions) {
    public SessionList {
        sessions = Check.list(sessions, "sessions");
    }
}
