package dev.agentkernel.core.disk;

import dev.agentkernel.core.host.HostContext;
import dev.agentkernel.core.host.HostExecutables;
import java.util.Optional;

/**
 * Whether this host can give sandboxes size-limited disks: a daemon running as root (loop
 * mounts need it) with {@code mkfs.ext4} (e2fsprogs) and {@code mount}/{@code umount}
 * (util-linux). Where it cannot, sandboxes write to plain host directories and their disk use
 * is not limited; the reason says why and how to fix it.
 *
 * @param unavailable why disks cannot be limited, or empty if they can
 */
public record DiskSupport(Optional<String> unavailable) {

    /** Size-limited disks on. */
    public static final DiskSupport ENFORCED = new DiskSupport(Optional.empty());

    /** Checks this host. */
    public static DiskSupport detect(HostContext host) {
        if (!host.root()) {
            return new DiskSupport(Optional.of("disk limits need a daemon running as root (they are loop-mounted"
                    + " ext4 images); sandboxes of this daemon write to plain directories without a limit"));
        }
        for (String[] tool : new String[][] {{"mkfs.ext4", "e2fsprogs"}, {"mount", "mount"}, {"umount", "mount"}}) {
            if (HostExecutables.find(tool[0]).isEmpty()) {
                return new DiskSupport(Optional.of("disk limits need " + tool[0] + " (apt-get install -y " + tool[1]
                        + "); sandboxes of this daemon write to plain directories without a limit"));
            }
        }
        return ENFORCED;
    }

    /** Whether sandboxes' disks are limited. */
    public boolean enforced() {
        return unavailable.isEmpty();
    }
}
