package dev.agentkernel.api;

/**
 * The code sessions' background maintenance ({@code POST /maintenance/pause|resume}, in {@code /stats}).
 *
 * @param paused              whether it is paused
 * @param intervalSeconds     how often it runs
 * @param runs                how often it ran
 * @param lastRunAt           when it last ran, or null
 * @param expiredTotal        sessions expired
 * @param evictedTotal        sessions evicted
 * @param orphansRemovedTotal orphaned directories removed
 */
public record MaintenanceView(boolean paused, long intervalSeconds, long runs, @Nullable String lastRunAt,
                              long expiredTotal, long evictedTotal, long orphansRemovedTotal) {
}
