/**
 * Named volumes: directories (or size-limited ext4 images) under the state directory that
 * outlive sandboxes and are mounted, read-write or read-only, into one or more persistent
 * sandboxes. {@link dev.agentkernel.core.volume.VolumeManager} owns them; records are kept by a
 * {@link dev.agentkernel.core.volume.VolumeStore}.
 */
package dev.agentkernel.core.volume;
