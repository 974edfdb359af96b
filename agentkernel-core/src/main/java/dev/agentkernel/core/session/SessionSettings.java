package dev.agentkernel.core.session;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How code sessions are limited and kept.
 *
 * @param maxSessions         sessions open at once
 * @param maxTotalMemoryMb    the sum of the open sessions' flavor memory may not exceed this
 * @param sessionTimeout      a session idle this long is removed by the maintenance
 * @param evictIdle           when a limit is reached, whether the least recently used idle session is
 *                            removed to make room (otherwise the new session is refused)
 * @param defaultFlavor       the flavor of a session that does not ask for one
 * @param defaultTimeout      an execution's time limit when the request gives none
 * @param maxTimeout          the longest time limit a request may ask for
 * @param poolPerTemplate     interpreters kept started per template (of the default flavor), 0 for none
 * @param maintenanceInterval how often the maintenance looks for expired sessions and orphans
 * @param volumes             volumes of every session
 */
public record SessionSettings(int maxSessions, long maxTotalMemoryMb, Duration sessionTimeout, boolean evictIdle,
                              Flavor defaultFlavor, Duration defaultTimeout, Duration maxTimeout, int poolPerTemplate,
                              Duration maintenanceInterval, List<VolumeMapping> volumes) {

    /** Validates and copies. */
    public SessionSettings {
        Objects.requireNonNull(defaultFlavor, "defaultFlavor");
        if (maxSessions < 1) {
            throw new IllegalArgumentException("at least one session must be allowed");
        }
        if (maxTotalMemoryMb < Flavor.SMALL.memoryMb()) {
            throw new IllegalArgumentException("the memory budget must hold at least one small session ("
                    + Flavor.SMALL.memoryMb() + " MB)");
        }
        if (sessionTimeout.isNegative() || sessionTimeout.isZero() || defaultTimeout.isNegative()
                || defaultTimeout.isZero() || maxTimeout.compareTo(defaultTimeout) < 0
                || maintenanceInterval.isNegative() || maintenanceInterval.isZero()) {
            throw new IllegalArgumentException("session timeouts and intervals must be positive, and the default "
                    + "execution timeout at most the maximum");
        }
        if (poolPerTemplate < 0) {
            throw new IllegalArgumentException("the interpreter pool size must be 0 or more");
        }
        volumes = List.copyOf(volumes);
    }

    /** 10 sessions, 8192 MB, 30 min idle expiry, eviction on, small, 30 s per execution (1 h at most), one pooled interpreter per template, maintenance every 10 s, no volumes. */
    public static SessionSettings defaults() {
        return new SessionSettings(10, 8192, Duration.ofMinutes(30), true, Flavor.SMALL, Duration.ofSeconds(30),
                Duration.ofHours(1), 1, Duration.ofSeconds(10), List.of());
    }

    /** A copy with another maximum number of sessions. */
    public SessionSettings withMaxSessions(int value) {
        return new SessionSettings(value, maxTotalMemoryMb, sessionTimeout, evictIdle, defaultFlavor, defaultTimeout,
                maxTimeout, poolPerTemplate, maintenanceInterval, volumes);
    }

    /** A copy with another memory budget. */
    public SessionSettings withMaxTotalMemoryMb(long value) {
        return new SessionSettings(maxSessions, value, sessionTimeout, evictIdle, defaultFlavor, defaultTimeout,
                maxTimeout, poolPerTemplate, maintenanceInterval, volumes);
    }

    /** A copy with another idle expiry. */
    public SessionSettings withSessionTimeout(Duration value) {
        return new SessionSettings(maxSessions, maxTotalMemoryMb, value, evictIdle, defaultFlavor, defaultTimeout,
                maxTimeout, poolPerTemplate, maintenanceInterval, volumes);
    }

    /** A copy with eviction on or off. */
    public SessionSettings withEvictIdle(boolean value) {
        return new SessionSettings(maxSessions, maxTotalMemoryMb, sessionTimeout, value, defaultFlavor, defaultTimeout,
                maxTimeout, poolPerTemplate, maintenanceInterval, volumes);
    }

    /** A copy with another default flavor. */
    public SessionSettings withDefaultFlavor(Flavor value) {
        return new SessionSettings(maxSessions, maxTotalMemoryMb, sessionTimeout, evictIdle, value, defaultTimeout,
                maxTimeout, poolPerTemplate, maintenanceInterval, volumes);
    }

    /** A copy with another interpreter pool size. */
    public SessionSettings withPoolPerTemplate(int value) {
        return new SessionSettings(maxSessions, maxTotalMemoryMb, sessionTimeout, evictIdle, defaultFlavor, defaultTimeout,
                maxTimeout, value, maintenanceInterval, volumes);
    }

    /** A copy with another maintenance interval. */
    public SessionSettings withMaintenanceInterval(Duration value) {
        return new SessionSettings(maxSessions, maxTotalMemoryMb, sessionTimeout, evictIdle, defaultFlavor, defaultTimeout,
                maxTimeout, poolPerTemplate, value, volumes);
    }

    /** A copy with other volumes for every session. */
    public SessionSettings withVolumes(List<VolumeMapping> value) {
        return new SessionSettings(maxSessions, maxTotalMemoryMb, sessionTimeout, evictIdle, defaultFlavor, defaultTimeout,
                maxTimeout, poolPerTemplate, maintenanceInterval, value);
    }
}
