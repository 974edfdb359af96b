package dev.agentkernel.image;

/**
 * Progress of one {@link ImageService#resolve} or {@link ImageService#importArchive}, for a
 * progress bar or a server-sent event stream. Layers are named by their blob digest.
 */
public sealed interface PullEvent {

    /**
     * The manifest is known.
     *
     * @param reference the reference being resolved
     * @param digest    the manifest digest for this host's platform
     * @param layers    how many layers the image has
     */
    record Resolved(ImageReference reference, String digest, int layers) implements PullEvent {
    }

    /**
     * Bytes of one layer arrived.
     *
     * @param layer      the layer's blob digest
     * @param bytesDone  bytes received so far (goes back to 0 when a download is retried)
     * @param bytesTotal the layer's size from the manifest
     */
    record LayerProgress(String layer, long bytesDone, long bytesTotal) implements PullEvent {
    }

    /**
     * One layer is stored and unpacked.
     *
     * @param layer         the layer's blob digest
     * @param bytesFetched  bytes downloaded for it by this call (0 when it was already stored or
     *                      another call downloaded it)
     * @param alreadyStored whether this call found it stored (nothing fetched)
     */
    record LayerDone(String layer, long bytesFetched, boolean alreadyStored) implements PullEvent {
    }

    /**
     * The image is stored under its reference.
     *
     * @param image the stored image
     */
    record Completed(Image image) implements PullEvent {
    }
}
