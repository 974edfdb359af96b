package dev.agentkernel.server;

import dev.agentkernel.core.task.TaskStore;
import dev.agentkernel.store.SqliteAuditLog;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;

/**
 * Prunes the audit log and finished tasks by the daemon's {@link RetentionConfig}: once when it
 * is started, then every interval, on one virtual thread. A failed sweep is logged and tried
 * again at the next interval. Package-private.
 */
final class RetentionSweeper implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(RetentionSweeper.class.getName());

    /** What one sweep deleted. */
    record Swept(int auditEvents, int tasks) {
    }

    private final RetentionConfig config;
    private final SqliteAuditLog audit;
    private final TaskStore tasks;
    private final Clock clock;
    private Thread thread;

    RetentionSweeper(RetentionConfig config, SqliteAuditLog audit, TaskStore tasks, Clock clock) {
        this.config = Objects.requireNonNull(config, "config");
        this.audit = Objects.requireNonNull(audit, "audit");
        this.tasks = Objects.requireNonNull(tasks, "tasks");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Sweeps now (before returning), then every interval until {@link #close()}. */
    RetentionSweeper start() {
        sweepQuietly();
        thread = Thread.ofVirtual().name("ak-retention").start(() -> {
            try {
                while (true) {
                    Thread.sleep(config.interval());
                    sweepQuietly();
                }
            } catch (InterruptedException e) {
                // closed
            }
        });
        return this;
    }

    /** Deletes what is past retention now. */
    Swept sweep() {
        Instant now = clock.instant();
        int events = audit.prune(now.minus(config.auditMaxAge())) + audit.keepNewest(config.auditMaxEvents());
        int finished = tasks.pruneFinished(now.minus(config.taskMaxAge()));
        return new Swept(events, finished);
    }

    private void sweepQuietly() {
        try {
            Swept swept = sweep();
            if (swept.auditEvents() > 0 || swept.tasks() > 0) {
                LOG.log(System.Logger.Level.INFO, "retention: deleted " + swept.auditEvents() + " audit event(s) and "
                        + swept.tasks() + " finished task(s)");
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "retention: pruning the state database failed (tried again in "
                    + config.interval().toMinutes() + " min): " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
