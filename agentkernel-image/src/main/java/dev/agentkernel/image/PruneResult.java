package dev.agentkernel.image;

/**
 * What {@link ImageService#prune()} removed.
 *
 * @param blobs      blobs removed
 * @param layers     unpacked layer directories removed
 * @param bytesFreed bytes of both
 */
public record PruneResult(int blobs, int layers, long bytesFreed) {
}
