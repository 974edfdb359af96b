package dev.agentkernel.api;

import java.util.List;
import java.util.Map;

/**
 * {@code GET /stats}: the code sessions' use of the host.
 *
 * @param activeSessions        open sessions
 * @param maxSessions           the most allowed
 * @param memoryAllocatedMb     memory of the open sessions
 * @param maxTotalMemoryMb      the most allowed
 * @param sessionTimeoutSeconds idle time after which a session expires
 * @param byTemplate            open sessions per template
 * @param pool                  warm interpreters per template
 * @param maintenance           the background maintenance
 * @param sessions              the open sessions
 */
public record SessionStatsView(int activeSessions, int maxSessions, long memoryAllocatedMb, long maxTotalMemoryMb,
                               long sessionTimeoutSeconds, Map<String, Integer> byTemplate,
                               Map<String, PoolCount> pool, MaintenanceView maintenance, List<SessionView> sessions) {

    /**
     * @param ready    started and waiting
     * @param starting being started
     */
    public record PoolCount(int ready, int starting) {
    }
}
