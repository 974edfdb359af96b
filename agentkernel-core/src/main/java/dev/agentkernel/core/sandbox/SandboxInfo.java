package dev.agentkernel.core.sandbox;

import java.util.Objects;

/**
 * What a caller sees of a persistent sandbox.
 *
 * @param record what is stored about it
 * @param status {@code running} or {@code stopped}: whether its processes run now
 */
public record SandboxInfo(SandboxRecord record, SandboxState status) {
    /** Validates. */
    public SandboxInfo {
        Objects.requireNonNull(record, "record");
        Objects.requireNonNull(status, "status");
    }

    /** The sandbox's name. */
    public String name() {
        return record.name();
    }
}
