package dev.agentkernel.client;

/**
 * Progress of a pull, as the daemon reports it ({@link ImagePullListener}). Layers are named by
 * their blob digest. The end is not an event: {@link Images#pull} returns the image or throws.
 */
public sealed interface ImagePullEvent {

    /**
     * The manifest is known.
     *
     * @param reference the reference being pulled, normalised
     * @param digest    the manifest digest for the daemon's platform
     * @param layers    how many layers the image has
     */
    record Resolved(String reference, String digest, int layers) implements ImagePullEvent {
    }

    /**
     * Bytes of one layer arrived (reported a few times a second at most).
     *
     * @param layer      the layer's blob digest
     * @param bytesDone  bytes received so far (back to 0 when a download is retried)
     * @param bytesTotal the layer's size
     */
    record Progress(String layer, long bytesDone, long bytesTotal) implements ImagePullEvent {
    }

    /**
     * One layer is stored and unpacked.
     *
     * @param layer         the layer's blob digest
     * @param bytesFetched  bytes the pull downloaded for it (0 when it was stored already)
     * @param alreadyStored whether it was stored already
     */
    record LayerDone(String layer, long bytesFetched, boolean alreadyStored) implements ImagePullEvent {
    }
}
