package dev.agentkernel.api;

/**
 * A sandbox that mounts a volume.
 *
 * @param sandbox  the sandbox's name
 * @param path     where it sees the volume
 * @param readOnly whether it may only read it
 */
public record VolumeMountView(String sandbox, String path, boolean readOnly) {
}
