package dev.agentkernel.core.audit;

import java.util.Locale;
import java.util.Optional;

/** The kinds of audited events; {@link #id()} is the name on the wire and in storage. */
public enum AuditEventType {
    /** A persistent sandbox was created. */
    SANDBOX_CREATED,
    /** A sandbox started (on create, on start, or again after a daemon restart). */
    SANDBOX_STARTED,
    /** A sandbox stopped (asked to, or its processes died). */
    SANDBOX_STOPPED,
    /** A sandbox and its files were removed. */
    SANDBOX_REMOVED,
    /** A sandbox's time to live was extended; details carry {@code expires_at}. */
    SANDBOX_EXTENDED,
    /** A sandbox reached its expiry and is removed with its files; details carry {@code expires_at}. */
    SANDBOX_EXPIRED,
    /** A command ended; details carry {@code command} and {@code exit_code}. */
    COMMAND_EXECUTED,
    /** A file was written through the API; details carry {@code path} and {@code bytes}. */
    FILE_WRITTEN,
    /** A file was read through the API; details carry {@code path} and {@code bytes}. */
    FILE_READ,
    /** A file was deleted through the API; details carry {@code path}. */
    FILE_DELETED,
    /** An interactive shell was attached. */
    SESSION_ATTACHED,
    /** Something was refused by policy (a limit, a path, a profile rule); details carry {@code reason}. */
    POLICY_VIOLATION,
    // ---- volumes (issue 15, point 6) ----
    /** A named volume was created; details carry {@code volume}, {@code size_mb} and {@code limited}. */
    VOLUME_CREATED,
    /** A named volume was removed with its files; details carry {@code volume} and {@code forced}. */
    VOLUME_REMOVED,
    /** A sandbox started with a volume mounted; details carry {@code volume}, {@code path} and {@code read_only}. */
    VOLUME_MOUNTED;

    /** Lower-case wire name, e.g. {@code sandbox_created}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The type of a wire name, if known. */
    public static Optional<AuditEventType> fromId(String id) {
        for (AuditEventType type : values()) {
            if (type.id().equals(id)) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }
}
