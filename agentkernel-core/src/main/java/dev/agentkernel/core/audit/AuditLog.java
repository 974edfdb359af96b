package dev.agentkernel.core.audit;

import java.util.List;

/**
 * The durable audit log. Thread-safe; {@link #append} returns once the event would survive
 * a crash of the process.
 */
public interface AuditLog {

    /** Records an event. Never throws for a full or broken store: it logs a warning instead. */
    void append(AuditEvent event);

    /** The events of one sandbox, oldest first; at most {@code limit}, the newest ones if there are more. */
    List<AuditEvent> forSandbox(String sandbox, int limit);

    /** All events, oldest first; at most {@code limit}, the newest ones if there are more. */
    List<AuditEvent> recent(int limit);

    /** A log that keeps nothing (for tools that run without a state store). */
    static AuditLog discarding() {
        return new AuditLog() {
            @Override
            public void append(AuditEvent event) {
            }

            @Override
            public List<AuditEvent> forSandbox(String sandbox, int limit) {
                return List.of();
            }

            @Override
            public List<AuditEvent> recent(int limit) {
                return List.of();
            }
        };
    }
}
