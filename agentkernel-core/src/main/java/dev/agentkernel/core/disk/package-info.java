/**
 * Disk quotas of the places where sandboxes write to the host's disk: each such place is an
 * ext4 file system in a sparse image file of fixed size ({@link dev.agentkernel.core.disk.DiskImage}),
 * loop-mounted on the host while a sandbox uses it, so that writing past the size fails with
 * {@code ENOSPC} inside the sandbox and the host's file system never holds more than the image.
 * Mount, unmount and {@code mkfs.ext4} are util-linux/e2fsprogs programs run through
 * {@link dev.agentkernel.core.process.Spawner}; {@link dev.agentkernel.core.disk.DiskReclaimer}
 * removes what a crashed daemon left mounted or attached.
 */
package dev.agentkernel.core.disk;
