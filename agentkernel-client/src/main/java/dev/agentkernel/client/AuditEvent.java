package dev.agentkernel.client;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One entry of the server's audit log ({@link AgentKernel#logs}, {@link AgentKernel#audit}).
 *
 * @param timestamp when it happened
 * @param event     what happened, e.g. {@code sandbox_created}, {@code command_executed},
 *                  {@code file_written}
 * @param sandbox   the sandbox it concerns, if any
 * @param details   the event's other fields as plain Java values ({@code String}, {@code Number},
 *                  {@code Boolean}, {@code List}, {@code Map} or null), e.g. {@code path} and
 *                  {@code bytes} of a {@code file_written}
 */
public record AuditEvent(Instant timestamp, String event, Optional<String> sandbox, Map<String, Object> details) {

    /** Checks for nulls and copies the details (which may hold null values). */
    public AuditEvent {
        Objects.requireNonNull(timestamp, "timestamp");
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(sandbox, "sandbox");
        details = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(details));
    }
}
