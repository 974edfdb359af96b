package dev.agentkernel.core.session;

import java.time.Duration;
import java.util.Optional;
import java.time.Instant;

/**
 * The background maintenance of code sessions: idle expiry and orphan cleanup.
 *
 * @param paused         whether it is paused
 * @param interval       how often it runs
 * @param runs           how many times it ran
 * @param lastRunAt      when it last ran
 * @param expiredTotal   sessions removed for being idle too long
 * @param evictedTotal   idle sessions removed to make room for new ones
 * @param orphansRemoved sandbox directories and interpreters that no session owned, removed
 */
public record MaintenanceStatus(boolean paused, Duration interval, long runs, Optional<Instant> lastRunAt,
                                long expiredTotal, long evictedTotal, long orphansRemoved) {
}
