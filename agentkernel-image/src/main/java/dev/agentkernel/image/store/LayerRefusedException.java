package dev.agentkernel.image.store;

/**
 * A layer's content is refused: an entry would leave the layer's directory, goes through a
 * symbolic link, links to something outside the layer, or the layer is past its size limits.
 * Nothing of the layer is kept.
 */
public final class LayerRefusedException extends RuntimeException {
    /** Creates the exception; the message names the entry and the rule it breaks. */
    public LayerRefusedException(String message) {
        super(message);
    }
}
