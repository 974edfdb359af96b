package dev.agentkernel.core.volume;

import dev.agentkernel.core.disk.DiskUsage;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a caller sees of a volume.
 *
 * @param record what is stored about it
 * @param usage  how full it is (always known for a plain directory: its files' sizes; for an image, while it is
 *               mounted or mountable)
 * @param users  the sandboxes that mount it
 * @param inUse  how many running sandboxes have it mounted now
 */
public record VolumeInfo(VolumeRecord record, Optional<DiskUsage> usage, List<VolumeUser> users, int inUse) {
    /** Validates and copies. */
    public VolumeInfo {
        Objects.requireNonNull(record, "record");
        Objects.requireNonNull(usage, "usage");
        users = List.copyOf(users);
    }
}
