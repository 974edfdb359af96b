package dev.agentkernel.server;

import dev.agentkernel.model.InvalidRequestException;
import java.time.Duration;
import java.util.Objects;

/**
 * What the daemon deletes by itself, so that its state database does not grow without bound.
 *
 * @param auditMaxAge    audit events older than this are deleted
 * @param auditMaxEvents only the newest this many audit events are kept
 * @param taskMaxAge     tasks that ended longer ago than this are deleted (running ones never are)
 * @param interval       how often the daemon prunes (also once when it starts)
 */
public record RetentionConfig(Duration auditMaxAge, long auditMaxEvents, Duration taskMaxAge, Duration interval) {

    /** Default: audit events for 30 days, at most 100,000 of them; finished tasks for 7 days. */
    public static final Duration DEFAULT_AUDIT_MAX_AGE = Duration.ofDays(30);
    /** Default number of audit events kept. */
    public static final long DEFAULT_AUDIT_MAX_EVENTS = 100_000;
    /** Default age after which finished tasks are deleted. */
    public static final Duration DEFAULT_TASK_MAX_AGE = Duration.ofDays(7);

    /** Validates. */
    public RetentionConfig {
        Objects.requireNonNull(auditMaxAge, "auditMaxAge");
        Objects.requireNonNull(taskMaxAge, "taskMaxAge");
        Objects.requireNonNull(interval, "interval");
        if (auditMaxAge.isNegative() || auditMaxAge.isZero() || taskMaxAge.isNegative() || taskMaxAge.isZero()) {
            throw new InvalidRequestException("retention periods must be positive, got audit " + auditMaxAge
                    + " and tasks " + taskMaxAge);
        }
        if (auditMaxEvents < 1) {
            throw new InvalidRequestException("the number of audit events kept must be at least 1, got " + auditMaxEvents);
        }
        if (interval.isNegative() || interval.isZero()) {
            throw new InvalidRequestException("the pruning interval must be positive, got " + interval);
        }
    }

    /** The defaults, pruning every hour. */
    public static RetentionConfig defaults() {
        return new RetentionConfig(DEFAULT_AUDIT_MAX_AGE, DEFAULT_AUDIT_MAX_EVENTS, DEFAULT_TASK_MAX_AGE, Duration.ofHours(1));
    }

    /** A copy with another audit age. */
    public RetentionConfig withAuditMaxAge(Duration value) {
        return new RetentionConfig(value, auditMaxEvents, taskMaxAge, interval);
    }

    /** A copy with another audit event count. */
    public RetentionConfig withAuditMaxEvents(long value) {
        return new RetentionConfig(auditMaxAge, value, taskMaxAge, interval);
    }

    /** A copy with another task age. */
    public RetentionConfig withTaskMaxAge(Duration value) {
        return new RetentionConfig(auditMaxAge, auditMaxEvents, value, interval);
    }

    /** A copy with another interval. */
    public RetentionConfig withInterval(Duration value) {
        return new RetentionConfig(auditMaxAge, auditMaxEvents, taskMaxAge, value);
    }
}
