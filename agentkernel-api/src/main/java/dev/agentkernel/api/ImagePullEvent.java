package dev.agentkernel.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The Server-Sent Events of {@code POST /images/pull}: {@code resolved} once the manifest is known,
 * {@code progress} of each layer as it downloads (at most a few per second per layer), {@code layer}
 * when a layer is stored and unpacked, then {@code done} with the stored image, or {@code error}.
 * Layers are named by their blob digest. An image already stored (policy {@code missing}) answers
 * {@code done} alone. Each frame is {@code event: NAME\ndata: COMPACT-JSON\n\n}.
 */
public sealed interface ImagePullEvent {

    /** The SSE event name. */
    String event();

    /**
     * The manifest is known.
     *
     * @param reference the reference being pulled, normalised
     * @param digest    the manifest digest for this host's platform
     * @param layers    how many layers the image has
     */
    record Resolved(String reference, String digest, int layers) implements ImagePullEvent {
        @Override
        public String event() {
            return "resolved";
        }
    }

    /**
     * Bytes of one layer arrived.
     *
     * @param layer      the layer's blob digest
     * @param bytesDone  bytes received so far (back to 0 when a download is retried)
     * @param bytesTotal the layer's size from the manifest
     */
    record Progress(String layer, long bytesDone, long bytesTotal) implements ImagePullEvent {
        @Override
        public String event() {
            return "progress";
        }
    }

    /**
     * One layer is stored and unpacked.
     *
     * @param layer         the layer's blob digest
     * @param bytesFetched  bytes this pull downloaded for it (0 when it was stored already)
     * @param alreadyStored whether it was stored already (nothing fetched)
     */
    record Layer(String layer, long bytesFetched, boolean alreadyStored) implements ImagePullEvent {
        @Override
        public String event() {
            return "layer";
        }
    }

    /**
     * The image is stored under its reference: the end.
     *
     * @param image the stored image
     */
    record Done(ImageView image) implements ImagePullEvent {
        @Override
        public String event() {
            return "done";
        }
    }

    /**
     * The pull failed after it started: the end. Nothing of a failed pull is stored as an image.
     *
     * @param message what went wrong and what to do
     * @param code    the error's code, as in the error envelope ({@code not_found}, {@code image_unavailable}, ...)
     */
    record Error(String message, @JsonInclude(JsonInclude.Include.NON_NULL) String code) implements ImagePullEvent {
        @Override
        public String event() {
            return "error";
        }
    }
}
