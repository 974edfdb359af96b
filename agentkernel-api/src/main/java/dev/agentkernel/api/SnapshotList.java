package dev.agentkernel.api;

import java.util.List;

/**
 * The MCP {@code snapshot_list} result (the HTTP {@code GET /snapshots} answers the bare array).
 *
 * @param snapshots the snapshots, oldest first
 */
public record SnapshotList(List<SnapshotView> snapshots) {

    public SnapshotList {
        snapshots = Check.list(snapshots, "snapshots");
    }
}
