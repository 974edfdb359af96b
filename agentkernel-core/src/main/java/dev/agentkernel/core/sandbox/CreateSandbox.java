package dev.agentkernel.core.sandbox;

import dev.agentkernel.model.SandboxRequest;
import java.util.Objects;

/**
 * A request to create a persistent sandbox.
 *
 * @param name    its name ({@link SandboxNames})
 * @param options image, profile, limits and network, as for any sandbox (env and workdir are per command)
 * @param volumes named volumes it mounts at every start (no path twice)
 */
public record CreateSandbox(String name, SandboxRequest options,
                            java.util.List<dev.agentkernel.core.volume.VolumeMount> volumes) {
    /** Validates. */
    public CreateSandbox {
        SandboxNames.requireValid(name);
        Objects.requireNonNull(options, "options");
        volumes = java.util.List.copyOf(volumes);
        java.util.Set<String> paths = new java.util.HashSet<>();
        for (var v : volumes) {
            if (!paths.add(v.path())) {
                throw new dev.agentkernel.model.InvalidRequestException("two volumes are mounted at " + v.path()
                        + "; give each its own path");
            }
        }
    }

    /** A sandbox without volumes. */
    public CreateSandbox(String name, SandboxRequest options) {
        this(name, options, java.util.List.of());
    }
}
