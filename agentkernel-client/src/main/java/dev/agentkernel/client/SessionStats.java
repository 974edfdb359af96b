package dev.agentkernel.client;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The code sessions of a daemon, their limits and their background maintenance
 * ({@link AgentKernel#sessionStats()}).
 *
 * @param activeSessions    sessions that exist now
 * @param maxSessions       the most that may exist at once
 * @param memoryAllocatedMb memory of the sessions that exist, in MiB, counted by flavor
 * @param maxTotalMemoryMb  the memory budget of all sessions, in MiB
 * @param sessionTimeout    how long a session may be idle before the server removes it
 * @param byTemplate        sessions by interpreter, e.g. {@code {python=1, node=1}}
 * @param pool              interpreters started ahead of use, by template
 * @param maintenance       the background cleaner
 * @param sessions          every session, oldest first
 */
public record SessionStats(int activeSessions, int maxSessions, long memoryAllocatedMb, long maxTotalMemoryMb,
                           Duration sessionTimeout, Map<String, Integer> byTemplate, Map<String, Pool> pool,
                           Maintenance maintenance, List<SessionInfo> sessions) {

    /** Checks for nulls and copies, keeping the server's order. */
    public SessionStats {
        Objects.requireNonNull(sessionTimeout, "sessionTimeout");
        byTemplate = Collections.unmodifiableMap(new LinkedHashMap<>(byTemplate));
        pool = Collections.unmodifiableMap(new LinkedHashMap<>(pool));
        Objects.requireNonNull(maintenance, "maintenance");
        sessions = List.copyOf(sessions);
    }

    /**
     * Interpreters of one template started ahead of use, so that a new session starts fast.
     *
     * @param ready    started and waiting
     * @param starting being started
     */
    public record Pool(int ready, int starting) {
    }

    /**
     * The background maintenance: removes sessions idle for longer than the session timeout and
     * sandboxes that no session owns ({@link AgentKernel#pauseMaintenance()}).
     *
     * @param paused              whether it is paused
     * @param interval            how often it runs
     * @param runs                how often it has run
     * @param lastRunAt           when it last ran
     * @param expiredTotal        sessions removed because they were idle too long
     * @param evictedTotal        idle sessions removed to make room for a new one
     * @param orphansRemovedTotal sandboxes removed that no session owned
     */
    public record Maintenance(boolean paused, Duration interval, long runs, Optional<Instant> lastRunAt,
                              long expiredTotal, long evictedTotal, long orphansRemovedTotal) {

        /** Checks for nulls. */
        public Maintenance {
            Objects.requireNonNull(interval, "interval");
            Objects.requireNonNull(lastRunAt, "lastRunAt");
        }
    }
}
