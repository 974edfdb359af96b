package dev.agentkernel.core.session;

import dev.agentkernel.model.InvalidRequestException;
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

    /**
     * {@code base} changed by the environment: {@code AGENTKERNEL_MAX_SESSIONS},
     * {@code AGENTKERNEL_MAX_TOTAL_MEMORY_MB}, {@code AGENTKERNEL_SESSION_TIMEOUT} (seconds),
     * {@code AGENTKERNEL_DEFAULT_FLAVOR}, {@code AGENTKERNEL_SESSION_EVICTION} ({@code on}/{@code off}),
     * {@code AGENTKERNEL_SHARED_VOLUME_PATH} (a JSON array of {@code host:sandbox[:ro]}, or one
     * mapping, or several separated by commas) and {@code AGENTKERNEL_DISABLE_POOLING} (no
     * interpreter pool). Unset or empty variables change nothing.
     *
     * @throws InvalidRequestException naming the variable whose value is wrong
     */
    public static SessionSettings fromEnvironment(java.util.Map<String, String> env, SessionSettings base) {
        SessionSettings s = base;
        String v;
        if (!(v = env.getOrDefault("AGENTKERNEL_MAX_SESSIONS", "")).isBlank()) {
            s = s.withMaxSessions((int) whole(v, "AGENTKERNEL_MAX_SESSIONS", 1, 100_000));
        }
        if (!(v = env.getOrDefault("AGENTKERNEL_MAX_TOTAL_MEMORY_MB", "")).isBlank()) {
            s = s.withMaxTotalMemoryMb(whole(v, "AGENTKERNEL_MAX_TOTAL_MEMORY_MB", Flavor.SMALL.memoryMb(), 1L << 40));
        }
        if (!(v = env.getOrDefault("AGENTKERNEL_SESSION_TIMEOUT", "")).isBlank()) {
            s = s.withSessionTimeout(Duration.ofSeconds(whole(v, "AGENTKERNEL_SESSION_TIMEOUT", 1, 365L * 24 * 3600)));
        }
        if (!(v = env.getOrDefault("AGENTKERNEL_DEFAULT_FLAVOR", "")).isBlank()) {
            try {
                s = s.withDefaultFlavor(Flavor.fromName(v));
            } catch (InvalidRequestException e) {
                throw new InvalidRequestException("AGENTKERNEL_DEFAULT_FLAVOR: " + e.getMessage());
            }
        }
        if (!(v = env.getOrDefault("AGENTKERNEL_SESSION_EVICTION", "")).isBlank()) {
            s = s.withEvictIdle(switch (v.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "on", "1", "true", "yes" -> true;
                case "off", "0", "false", "no" -> false;
                default -> throw new InvalidRequestException("AGENTKERNEL_SESSION_EVICTION must be on or off, not '" + v + "'");
            });
        }
        if (!(v = env.getOrDefault("AGENTKERNEL_SHARED_VOLUME_PATH", "")).isBlank()) {
            s = s.withVolumes(volumes(v));
        }
        String pooling = env.getOrDefault("AGENTKERNEL_DISABLE_POOLING", "");
        if (!pooling.isBlank() && !pooling.equals("0") && !pooling.equalsIgnoreCase("false")) {
            s = s.withPoolPerTemplate(0);
        }
        return s;
    }

    private static long whole(String value, String name, long min, long max) {
        try {
            long n = Long.parseLong(value.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new InvalidRequestException(name + " must be a whole number between " + min + " and " + max + ", not '"
                + value + "'");
    }

    private static List<VolumeMapping> volumes(String value) {
        String text = value.trim();
        List<String> items = new java.util.ArrayList<>();
        if (text.startsWith("[")) {
            try {
                for (com.fasterxml.jackson.databind.JsonNode item : new com.fasterxml.jackson.databind.ObjectMapper().readTree(text)) {
                    if (!item.isTextual()) {
                        throw new InvalidRequestException("AGENTKERNEL_SHARED_VOLUME_PATH must hold only strings");
                    }
                    items.add(item.asText());
                }
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new InvalidRequestException("AGENTKERNEL_SHARED_VOLUME_PATH is not a JSON array of strings: "
                        + e.getOriginalMessage());
            }
        } else {
            for (String part : text.split(",")) {
                if (!part.isBlank()) {
                    items.add(part.trim());
                }
            }
        }
        try {
            return items.stream().map(VolumeMapping::parse).toList();
        } catch (InvalidRequestException e) {
            throw new InvalidRequestException("AGENTKERNEL_SHARED_VOLUME_PATH: " + e.getMessage());
        }
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
