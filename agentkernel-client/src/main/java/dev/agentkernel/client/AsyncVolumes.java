package dev.agentkernel.client;

import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

/** The server's named volumes without blocking ({@link AsyncAgentKernel#volumes()}); as {@link Volumes}. */
public final class AsyncVolumes {

    private final AsyncAgentKernel client;

    AsyncVolumes(AsyncAgentKernel client) {
        this.client = client;
    }

    /**
     * As {@link Volumes#create(String)}.
     *
     * @param name a name not in use
     * @return the new volume
     */
    public CompletableFuture<VolumeInfo> create(String name) {
        return client.createVolume(name, OptionalLong.empty());
    }

    /**
     * As {@link Volumes#create(String, long)}.
     *
     * @param name   a name not in use
     * @param sizeMb its size in MiB
     * @return the new volume
     */
    public CompletableFuture<VolumeInfo> create(String name, long sizeMb) {
        return client.createVolume(name, OptionalLong.of(sizeMb));
    }

    /**
     * As {@link Volumes#list()}.
     *
     * @return every volume
     */
    public CompletableFuture<List<VolumeInfo>> list() {
        return client.listVolumes();
    }

    /**
     * As {@link Volumes#get(String)}.
     *
     * @param name its name
     * @return the volume
     */
    public CompletableFuture<VolumeInfo> get(String name) {
        return client.getVolume(name);
    }

    /**
     * As {@link Volumes#remove(String, boolean)}.
     *
     * @param name  its name
     * @param force also when stopped sandboxes mount it
     * @return completes when it is removed
     */
    public CompletableFuture<Void> remove(String name, boolean force) {
        return client.removeVolume(name, force);
    }
}
