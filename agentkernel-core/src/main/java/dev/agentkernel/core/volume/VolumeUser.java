package dev.agentkernel.core.volume;

import java.util.Objects;

/**
 * A sandbox that mounts a volume.
 *
 * @param sandbox the sandbox's name
 * @param mount   where and how it mounts the volume
 */
public record VolumeUser(String sandbox, VolumeMount mount) {
    /** Validates. */
    public VolumeUser {
        Objects.requireNonNull(sandbox, "sandbox");
        Objects.requireNonNull(mount, "mount");
    }
}
