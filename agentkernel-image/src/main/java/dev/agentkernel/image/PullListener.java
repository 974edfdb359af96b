package dev.agentkernel.image;

/**
 * Receives {@link PullEvent}s. It is called from the threads that fetch layers, possibly at the
 * same time: implementations must be thread-safe and quick (no blocking I/O).
 */
@FunctionalInterface
public interface PullListener {

    /** A listener that ignores every event. */
    PullListener NONE = event -> { };

    /** Receives one event. */
    void onEvent(PullEvent event);
}
