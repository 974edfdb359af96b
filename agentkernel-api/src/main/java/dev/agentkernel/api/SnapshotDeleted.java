package dev.agentkernel.api;

/**
 * The MCP {@code snapshot_delete} result (the HTTP {@code DELETE /snapshots/NAME} answers a message).
 *
 * @param name    the deleted snapshot
 * @param deleted always true (a snapshot that cannot be deleted is an error)
 * @param message what was done
 */
public record SnapshotDeleted(String name, boolean deleted, String message) {
}
