package dev.agentkernel.model;

/**
 * An image could not be had: its registry did not answer, refused the pull, or sent content that
 * failed its checks, or the image store could not be read or written. The message names the
 * image, what the registry said and the fixes.
 */
public final class ImageUnavailableException extends AgentKernelException {
    /** Creates the exception with a person-readable message. */
    public ImageUnavailableException(String message) {
        super(message);
    }

    /** Creates the exception with a person-readable message and its cause. */
    public ImageUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
