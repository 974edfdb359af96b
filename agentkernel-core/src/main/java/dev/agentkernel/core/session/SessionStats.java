package dev.agentkernel.core.session;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Resource statistics of code sessions.
 *
 * @param activeSessions     sessions open now
 * @param maxSessions        sessions allowed at once
 * @param memoryAllocatedMb  the sum of the open sessions' flavor memory
 * @param maxTotalMemoryMb   the memory budget
 * @param sessionTimeout     the idle expiry
 * @param byTemplate         open sessions per template id
 * @param pool               per template id: interpreters ready and starting
 * @param maintenance        the background maintenance
 * @param sessions           every open session, oldest first
 */
public record SessionStats(int activeSessions, int maxSessions, long memoryAllocatedMb, long maxTotalMemoryMb,
                           Duration sessionTimeout, Map<String, Integer> byTemplate, Map<String, PoolCount> pool,
                           MaintenanceStatus maintenance, List<SessionInfo> sessions) {

    /** Copies. */
    public SessionStats {
        byTemplate = Map.copyOf(byTemplate);
        pool = Map.copyOf(pool);
        sessions = List.copyOf(sessions);
    }

    /**
     * Pooled interpreters of one template.
     *
     * @param ready    started and waiting
     * @param starting being started
     */
    public record PoolCount(int ready, int starting) {
    }
}
