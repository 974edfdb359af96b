package dev.agentkernel.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * A named volume, as {@code GET /volumes/NAME} shows it.
 *
 * @param name        its name
 * @param sizeMb      its size in MiB
 * @param limited     whether the size is enforced (an ext4 image of its own; false: a plain directory on the
 *                    server's disk, where the server cannot mount disk images)
 * @param usedMb      MiB its files take (null: not known now)
 * @param availableMb MiB still free in it (null: not known now)
 * @param inUse       how many running sandboxes have it mounted now
 * @param mounts      the sandboxes that mount it (running or not)
 * @param createdAt   when it was created (ISO-8601, seconds)
 */
public record VolumeView(String name, long sizeMb, boolean limited,
                         @Nullable Long usedMb, @Nullable Long availableMb, int inUse,
                         List<VolumeMountView> mounts, String createdAt) {
    public VolumeView {
        mounts = Check.optionalList(mounts, "mounts");
    }
}
