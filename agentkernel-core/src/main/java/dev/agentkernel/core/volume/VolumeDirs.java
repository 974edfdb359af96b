package dev.agentkernel.core.volume;

import dev.agentkernel.core.disk.DiskImage;
import java.nio.file.Path;

/**
 * Where a volume's files are on the host: {@code <root>/disk.img} mounted at {@code <root>/fs}
 * with the files in {@code fs/data} (a size-limited volume), or {@code <root>/data} (a plain
 * directory). The sandbox sees {@code data}; the host only creates, mounts and deletes it and
 * never follows a link inside it.
 *
 * @param root the volume's directory, {@code <state>/volumes/<name>}
 */
record VolumeDirs(Path root) {

    /** The volume's ext4 image (it has one if {@link DiskImage#exists()}). */
    DiskImage disk() {
        return new DiskImage(root.resolve("disk.img"), root.resolve("fs"));
    }

    /** The directory sandboxes mount. */
    Path data() {
        return disk().exists() ? disk().mountPoint().resolve("data") : root.resolve("data");
    }
}
