package dev.agentkernel.client;

/** Receives the progress of a pull, on the pulling thread, in the order the daemon sent it. */
@FunctionalInterface
public interface ImagePullListener {

    /** A listener that ignores every event. */
    ImagePullListener NONE = event -> { };

    /**
     * Receives one event.
     *
     * @param event what happened
     */
    void onEvent(ImagePullEvent event);
}
