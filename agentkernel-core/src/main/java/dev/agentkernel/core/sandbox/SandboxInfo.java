package dev.agentkernel.core.sandbox;

import dev.agentkernel.core.disk.DiskUsage;
import java.util.Objects;
import java.util.Optional;

/**
 * What a caller sees of a persistent sandbox.
 *
 * @param record what is stored about it
 * @param status {@code running} or {@code stopped}: whether its processes run now
 * @param disk   how full its disk is (known while its disk is mounted, that is while it runs)
 * @param volumes the named volumes it mounts (each with its own size, not part of {@code disk})
 */
public record SandboxInfo(SandboxRecord record, SandboxState status, Optional<DiskUsage> disk,
                          java.util.List<dev.agentkernel.core.volume.VolumeMount> volumes) {
    /** Validates. */
    public SandboxInfo {
        Objects.requireNonNull(record, "record");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(disk, "disk");
        volumes = java.util.List.copyOf(volumes);
    }

    /** A sandbox without volumes. */
    public SandboxInfo(SandboxRecord record, SandboxState status, Optional<DiskUsage> disk) {
        this(record, status, disk, java.util.List.of());
    }

    /** A sandbox whose disk use is not known. */
    public SandboxInfo(SandboxRecord record, SandboxState status) {
        this(record, status, Optional.empty());
    }

    /** The sandbox's name. */
    public String name() {
        return record.name();
    }
}
