package dev.agentkernel.client;

import java.util.List;
import java.util.OptionalLong;

/**
 * The server's named volumes ({@link AgentKernel#volumes()}): one verb per action.
 *
 * {@snippet :
 * client.volumes().create("data", 512);
 * client.createSandbox("writer", SandboxOptions.defaults(), List.of("data:/data"));
 * client.createSandbox("reader", SandboxOptions.defaults(), List.of("data:/data:ro"));
 * }
 */
public final class Volumes {

    private final AgentKernel client;

    Volumes(AgentKernel client) {
        this.client = client;
    }

    /**
     * Creates a volume of the server's default size (1024 MiB).
     *
     * @param name a name not in use (the rules of sandbox names)
     * @return the new volume
     * @throws ConflictException if one of that name exists
     */
    public VolumeInfo create(String name) {
        return client.createVolume(name, OptionalLong.empty());
    }

    /**
     * Creates a volume of {@code sizeMb} MiB.
     *
     * @param name   a name not in use
     * @param sizeMb its size (at least 16)
     * @return the new volume
     * @throws ConflictException   if one of that name exists
     * @throws ValidationException for a bad name or size
     */
    public VolumeInfo create(String name, long sizeMb) {
        return client.createVolume(name, OptionalLong.of(sizeMb));
    }

    /**
     * Lists them.
     *
     * @return every volume, oldest first
     */
    public List<VolumeInfo> list() {
        return client.listVolumes();
    }

    /**
     * One volume, with its use and the sandboxes that mount it.
     *
     * @param name its name
     * @return the volume
     * @throws NotFoundException if there is none of that name
     */
    public VolumeInfo get(String name) {
        return client.getVolume(name);
    }

    /**
     * Removes a volume and its files.
     *
     * @param name its name
     * @throws ConflictException while a sandbox mounts it
     */
    public void remove(String name) {
        client.removeVolume(name, false);
    }

    /**
     * Removes a volume and its files; {@code force} also when stopped sandboxes mount it (they lose
     * the mount). A volume a running sandbox has mounted is never removed.
     *
     * @param name  its name
     * @param force also when stopped sandboxes mount it
     * @throws ConflictException while a running sandbox mounts it
     */
    public void remove(String name, boolean force) {
        client.removeVolume(name, force);
    }
}
