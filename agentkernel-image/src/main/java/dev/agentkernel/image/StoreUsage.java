package dev.agentkernel.image;

/**
 * Disk use of the image store.
 *
 * @param images     image records (references)
 * @param blobs      stored blobs (manifests, configurations, compressed layers)
 * @param blobBytes  their bytes
 * @param layers     unpacked layer directories
 * @param layerBytes bytes of the regular files in them
 */
public record StoreUsage(int images, int blobs, long blobBytes, int layers, long layerBytes) {

    /** Everything the store holds on disk. */
    public long totalBytes() {
        return blobBytes + layerBytes;
    }
}
