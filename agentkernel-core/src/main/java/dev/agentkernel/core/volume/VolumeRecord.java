package dev.agentkernel.core.volume;

import java.time.Instant;
import java.util.Objects;

/**
 * What is stored about one named volume.
 *
 * @param name      unique name ({@link VolumeNames})
 * @param sizeMb    its size in MiB (the limit where {@code limited})
 * @param limited   whether it is an ext4 image of {@code sizeMb} (a host that can mount disk images);
 *                  otherwise a plain directory whose size is not enforced
 * @param createdAt when it was created
 */
public record VolumeRecord(String name, long sizeMb, boolean limited, Instant createdAt) {
    /** Validates. */
    public VolumeRecord {
        VolumeNames.requireValid(name);
        if (sizeMb < 1) {
            throw new IllegalArgumentException("size " + sizeMb);
        }
        Objects.requireNonNull(createdAt, "createdAt");
    }
}
