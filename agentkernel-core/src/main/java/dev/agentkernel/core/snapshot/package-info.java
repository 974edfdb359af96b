/**
 * Snapshots of persistent sandboxes: a sandbox's writable layer and {@code /workspace} stored as
 * one more image layer over its image ({@link dev.agentkernel.core.snapshot.SnapshotService}),
 * sandboxes made from them, restores, forks.
 */
package dev.agentkernel.core.snapshot;
