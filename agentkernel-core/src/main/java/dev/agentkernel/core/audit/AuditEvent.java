package dev.agentkernel.core.audit;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One audited event.
 *
 * @param timestamp when it happened
 * @param type      what happened
 * @param sandbox   the sandbox it concerns, if any
 * @param details   extra facts; values are strings, numbers or booleans
 */
public record AuditEvent(Instant timestamp, AuditEventType type, Optional<String> sandbox, Map<String, Object> details) {

    /** Validates and copies (keeping the order of details). */
    public AuditEvent {
        Objects.requireNonNull(timestamp, "timestamp");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(sandbox, "sandbox");
        for (var e : details.entrySet()) {
            Object v = Objects.requireNonNull(e.getValue(), e.getKey());
            if (!(v instanceof String || v instanceof Number || v instanceof Boolean)) {
                throw new IllegalArgumentException("detail " + e.getKey() + " must be a string, number or boolean");
            }
        }
        details = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(details));
    }

    /** An event that happens now. */
    public static AuditEvent now(AuditEventType type, String sandbox, Map<String, Object> details) {
        return new AuditEvent(Instant.now(), type, Optional.ofNullable(sandbox), details);
    }
}
