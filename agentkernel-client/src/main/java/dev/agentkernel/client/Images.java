package dev.agentkernel.client;

import java.util.List;

/**
 * The daemon's image store ({@link AgentKernel#images()}): one verb per action.
 *
 * {@snippet :
 * ImageInfo image = client.images().pull("python:3.12-alpine", PullPolicy.MISSING,
 *         event -> System.out.println(event));
 * System.out.println(image.reference() + " " + image.digest());
 * }
 */
public final class Images {

    private final AgentKernel client;

    Images(AgentKernel client) {
        this.client = client;
    }

    /**
     * Lists them.
     *
     * @return every stored image, by reference
     */
    public List<ImageInfo> list() {
        return client.listImages();
    }

    /**
     * Pulls an image unless it is stored, waiting until it is.
     *
     * @param reference the reference, e.g. {@code python:3.12-alpine}
     * @return the stored image
     */
    public ImageInfo pull(String reference) {
        return client.pullImage(reference, PullPolicy.MISSING, ImagePullListener.NONE);
    }

    /**
     * Pulls an image as {@code policy} says, reporting progress to {@code listener}, waiting until
     * it is stored.
     *
     * @param reference the reference, e.g. {@code python:3.12-alpine}
     * @param policy    when to ask the registry
     * @param listener  receives the progress
     * @return the stored image
     */
    public ImageInfo pull(String reference, PullPolicy policy, ImagePullListener listener) {
        return client.pullImage(reference, policy, listener);
    }

    /**
     * Removes a reference from the store (its content stays while another reference uses it).
     *
     * @param reference the reference
     */
    public void remove(String reference) {
        client.removeImage(reference);
    }
}
