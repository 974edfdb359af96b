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
    /** A sandbox was put on a snapshot's files (restored); details carry {@code snapshot} and {@code image}. */
    SANDBOX_RESTORED,
    /** A snapshot of a sandbox was taken; details carry {@code snapshot}, {@code image} and {@code size_bytes}. */
    SNAPSHOT_CREATED,
    /** A snapshot was deleted; details carry {@code snapshot}. */
    SNAPSHOT_DELETED,
    /** New sandboxes were made from a sandbox; details carry {@code sandboxes} and {@code snapshot}. */
    SANDBOX_FORKED,
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
    // ---- background processes (issue 15, point 3) ----
    /** A background process started; details carry {@code id}, {@code command} and {@code pid}. */
    BACKGROUND_STARTED,
    /** A background process was killed on request (with its process group); details carry {@code id}. */
    BACKGROUND_KILLED,
    /** A background process ended; details carry {@code id}, {@code exit_code} and, if not by itself, {@code reason}. */
    BACKGROUND_EXITED,
    // ---- pause and resume (issue 15) ----
    /** A sandbox's processes were frozen; details carry {@code automatic} (true: it was idle). */
    SANDBOX_PAUSED,
    /** A paused sandbox's processes were thawed; details carry {@code automatic} (true: by a request's access). */
    SANDBOX_RESUMED,
    // ---- volumes (issue 15, point 6) ----
    /** A named volume was created; details carry {@code volume}, {@code size_mb} and {@code limited}. */
    VOLUME_CREATED,
    /** A named volume was removed with its files; details carry {@code volume} and {@code forced}. */
    VOLUME_REMOVED,
    /** A sandbox started with a volume mounted; details carry {@code volume}, {@code path} and {@code read_only}. */
    VOLUME_MOUNTED,
    // ---- secrets (issue 16) ----
    /** A secret was set (created or its value replaced); details carry {@code secret} (its name) and {@code created}; never the value. */
    SECRET_SET,
    /** A secret was removed; details carry {@code secret} (its name). */
    SECRET_REMOVED;

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
