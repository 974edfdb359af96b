package dev.agentkernel.api;

import java.util.List;

/**
 * {@code GET /volumes}: every named volume, oldest first.
 *
 * @param volumes the volumes
 */
public record VolumeList(List<VolumeView> volumes) {
    public VolumeList {
        volumes = Check.list(volumes, "volumes");
    }
}
